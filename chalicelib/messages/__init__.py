"""Message texts: language × tone × channel, rendered from Jinja2 templates."""
