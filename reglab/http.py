"""What the apps' views share about HTTP itself."""

from django.views.decorators.http import require_http_methods

# A page that shows a form and takes it back. HEAD is a GET without its body: uptime monitors
# and link checkers send it, and it changes nothing, as the views write only on POST.
get_or_post = require_http_methods(["GET", "HEAD", "POST"])
