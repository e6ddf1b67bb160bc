"""The admin's logins and groups, with Django's own permissions named in the reader's language.

Django stores those names in English whatever the language ("Can add anmälan", see
django.contrib.auth.management._get_builtin_permissions). They are left as stored and shown
translated where organisers choose them: a group's and a login's permissions.
"""

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.models import Group, Permission, User
from django.utils.translation import gettext as _


def _builtin_names() -> dict[str, str]:
    return {
        "add": _("Kan lägga till %(model)s"),
        "change": _("Kan ändra %(model)s"),
        "delete": _("Kan ta bort %(model)s"),
        "view": _("Kan se %(model)s"),
    }


def permission_label(permission: Permission) -> str:
    """As Django labels it ("app | model | name"), the built-in names translated."""
    name = permission.name
    model = permission.content_type.model_class()
    action, _sep, model_name = permission.codename.partition("_")
    names = _builtin_names()
    if (
        model is not None
        and action in names
        and model_name == model._meta.model_name
        and name == f"Can {action} {model._meta.verbose_name_raw}"
    ):
        name = names[action] % {"model": model._meta.verbose_name}
    return f"{permission.content_type} | {name}"


class PermissionsField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return permission_label(obj)


class TranslatedPermissionsMixin:
    def formfield_for_manytomany(self, db_field, request=None, **kwargs):
        if db_field.name in ("permissions", "user_permissions"):
            kwargs["form_class"] = PermissionsField
        return super().formfield_for_manytomany(db_field, request, **kwargs)


admin.site.unregister(Group)
admin.site.unregister(User)


@admin.register(Group)
class ReglabGroupAdmin(TranslatedPermissionsMixin, GroupAdmin):
    pass


@admin.register(User)
class ReglabUserAdmin(TranslatedPermissionsMixin, UserAdmin):
    pass
