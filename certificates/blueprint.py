"""URL rules of the certificate pages."""

from flask import Blueprint

from . import bulk, bulk_views, queries, verify_views, views
from .credentials import linkedin
from .credentials import views as credential_views

bp = Blueprint("lms_certificates", __name__, template_folder="templates")

bp.add_url_rule("/certificates", view_func=views.mine)
bp.add_url_rule("/certificates/<serial>.pdf", view_func=views.download)
bp.add_url_rule("/certificates/keys.json", view_func=verify_views.keys)
bp.add_url_rule("/admin/certificates", view_func=views.admin_list)
bp.add_url_rule("/admin/certificates/issue", view_func=views.admin_issue, methods=["GET", "POST"])
bp.add_url_rule("/admin/certificates/bulk", view_func=bulk_views.admin_bulk)
bp.add_url_rule(
    "/admin/certificates/bulk/issue", view_func=bulk_views.admin_bulk_issue, methods=["POST"]
)
bp.add_url_rule(
    "/admin/certificates/bulk/reissue", view_func=bulk_views.admin_bulk_reissue, methods=["POST"]
)
bp.add_url_rule(
    "/admin/certificates/bulk/notify", view_func=bulk_views.admin_bulk_notify, methods=["POST"]
)
bp.add_url_rule("/admin/certificates/bulk/zip", view_func=bulk_views.admin_bulk_zip)
bp.add_url_rule("/certificates/cohort/<int:cohort_id>.zip", view_func=bulk_views.cohort_zip)
bp.add_url_rule("/admin/certificates/<serial>", view_func=views.admin_detail)
bp.add_url_rule(
    "/admin/certificates/<serial>/revoke", view_func=views.admin_revoke, methods=["POST"]
)
bp.add_url_rule(
    "/admin/certificates/<serial>/correct", view_func=views.admin_correct, methods=["POST"]
)
bp.add_url_rule("/verify", view_func=verify_views.verify_upload, methods=["GET", "POST"])
bp.add_url_rule("/verify/<serial>", view_func=verify_views.verify_page)
bp.add_url_rule("/verify/<serial>.json", view_func=verify_views.verify_json)
bp.add_url_rule("/verify/<serial>/credential.json", view_func=credential_views.credential_json)
bp.add_url_rule("/verify/<serial>/badge.png", view_func=credential_views.baked_badge)
bp.add_url_rule("/credentials/badge.png", view_func=credential_views.badge_image)
bp.add_url_rule("/credentials/status/<int:list_number>", view_func=credential_views.status_list)
# did:web: <prefix>/did.json under a prefix, /.well-known/did.json at a host's root
bp.add_url_rule("/did.json", view_func=credential_views.did_document)
bp.add_url_rule("/.well-known/did.json", view_func=credential_views.did_document)


@bp.app_context_processor
def certificate_helpers():
    """Lets LMS templates (e.g. "My learning") list earned certificates, and those being
    prepared, without importing us."""
    return {
        "earned_certificates": queries.earned_certificates,
        "pending_certificates": bulk.pending_enrolment_ids,
        "linkedin_url": linkedin.for_certificate,
    }
