"""Security plumbing that settings alone cannot express."""

from csp.middleware import CSPMiddleware, PolicyParts
from django.conf import settings


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp's middleware, with the admin's own (looser) policy.

    Readers' pages get ``CONTENT_SECURITY_POLICY`` unchanged. Under the admin,
    the directives of ``ADMIN_CONTENT_SECURITY_POLICY`` replace theirs, because
    the admin theme and the rich-text editor need inline code and ``eval``;
    views can still adjust either policy with django-csp's decorators.
    """

    def get_policy_parts(self, request, response, report_only=False):
        parts = super().get_policy_parts(request, response, report_only=report_only)
        if report_only or not request.path_info.startswith(f"/{settings.ADMIN_PATH}"):
            return parts
        replace = {**settings.ADMIN_CONTENT_SECURITY_POLICY, **(parts.replace or {})}
        return PolicyParts(parts.config, parts.update, replace, parts.nonce)

