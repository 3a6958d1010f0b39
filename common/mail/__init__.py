"""E-mail transport the portal chooses in settings: `backends.PipeliningSMTPBackend` is
the default EMAIL_BACKEND (and so NEWSLETTER_EMAIL_BACKEND's) whenever mail goes out by
SMTP; any other Django e-mail backend (console, locmem, an e-mail provider's) can take
its place."""
