/* Invitation redemption (admin-api.md §9.3, oauth.md §7): an invitation token becomes an
 * authorization code whose PKCE verifier is base64url(token). */
#include "auth/auth_int.h"

#include <string.h>

static int redeem_fail(struct request *r, const struct inv_redeem *inv, enum err_kind kind,
                       int status, const char *msg, const char *body)
{
	if (db_in_transaction())
		db_rollback();
	auth_audit(r, "invitation.redeem_failed", inv && inv->user_id ? inv->user_id : 0,
	           inv ? inv->client_id : NULL, "PatientInvitation",
	           inv && inv->id ? db_i64(r->arena, inv->id) : NULL, inv ? inv->patient_id : 0,
	           status, NULL);
	if (body)
		return fail_body(r, kind, body);
	return fail_with(r, kind, msg);
}

int auth_invitation_redeem(struct request *r, const char *token)
{
	struct err e = {0};
	const char *hash = sha256_b64url(r->arena, token);
	if (db_begin(&e))
		return fail_err(r, &e);
	struct inv_redeem inv;
	int rc = store_invitation_lock(r->arena, hash, &inv, &e);
	if (rc < 0)
		return fail_err(r, &e);
	if (rc > 0)
		return redeem_fail(r, NULL, ERR_NOT_FOUND, 404,
		                   "Invitation not found or already used.", NULL);
	if (!strcmp(inv.status, "cancelled"))
		return redeem_fail(r, &inv, ERR_FORBIDDEN, 403, "Invitation has been cancelled.",
		                   NULL);
	if (!strcmp(inv.status, "reissued"))
		return redeem_fail(r, &inv, ERR_CONFLICT, 409,
		                   "Invitation has been replaced by a newer invitation.", NULL);
	if (!strcmp(inv.status, "expired"))
		return redeem_fail(r, &inv, ERR_GONE, 410, "Invitation has expired.", NULL);
	if (!strcmp(inv.status, "issued") && inv.expired_now) {
		if (store_invitation_set_expired(r->arena, inv.id, &e) ||
		    auth_audit(r, "invitation.redeem_failed", inv.user_id, inv.client_id,
		               "PatientInvitation", db_i64(r->arena, inv.id), inv.patient_id, 410,
		               NULL) ||
		    db_commit(&e))
			return fail_err(r, &e);
		return fail_with(r, ERR_GONE, "Invitation has expired.");
	}
	if (!strcmp(inv.status, "redeemed") && inv.window_passed)
		return redeem_fail(r, &inv, ERR_CONFLICT, 409, "Invitation has already been used.",
		                   NULL);
	if (!inv.user_id)
		return redeem_fail(r, &inv, ERR_BAD_REQUEST, 400, NULL,
		                   "[\"Patient has no associated user account.\"]");
	if (!inv.user_active)
		return redeem_fail(r, &inv, ERR_FORBIDDEN, 403, "The patient account is disabled.",
		                   NULL);
	/* The grant would carry the whole account: never for a practitioner or a superuser (an
	 * invitation issued before the user became one stays unusable). */
	if (inv.user_staff)
		return redeem_fail(r, &inv, ERR_FORBIDDEN, 403,
		                   "Invitations cannot be redeemed for a practitioner or superuser "
		                   "account.",
		                   NULL);
	/* success */
	char *verifier = arena_alloc(r->arena, base64_encoded_len(strlen(token)) + 1);
	base64url_encode((const unsigned char *)token, strlen(token), verifier);
	char challenge[44];
	auth_pkce_s256(verifier, challenge);
	const char *site = inv.site_url;
	size_t sl = strlen(site);
	while (sl > 0 && site[sl - 1] == '/')
		sl--;
	char *redirect = arena_printf(r->arena, "%.*s/auth/callback", (int)sl, site);
	struct auth_code_new nc = {
	    .application_id = inv.application_id,
	    .user_id = inv.user_id,
	    .redirect_uri = redirect,
	    .redirect_uri_in_request = false,
	    .scope = "openid email",
	    .challenge = challenge,
	    .invitation_id = inv.id,
	};
	char *expires = NULL, *code = NULL;
	if (store_invitation_redeemed(r->arena, &inv, &e) ||
	    !(code = auth_code_issue(r, &nc, &expires, &e)))
		return fail_err(r, &e);
	if (auth_audit(r, "invitation.redeemed", inv.user_id, inv.client_id, "PatientInvitation",
	               db_i64(r->arena, inv.id), inv.patient_id, 200, NULL))
		return fail_with(r, ERR_INTERNAL, "audit");
	if (db_commit(&e))
		return fail_err(r, &e);
	struct buf *b = buf_new(r->arena, 512);
	struct jw w;
	jw_init(&w, b);
	jw_obj_begin(&w);
	jw_key(&w, "grant");
	jw_obj_begin(&w);
	jw_kstr(&w, "grant_type", "authorization_code");
	jw_kstr(&w, "redirect_uri", redirect);
	jw_kstr(&w, "client_id", inv.client_id);
	jw_kstr(&w, "code", code);
	jw_obj_end(&w);
	jw_kstr(&w, "token_endpoint", arena_printf(r->arena, "%s/o/token/", r->origin));
	jw_kstr(&w, "expires", expires);
	jw_obj_end(&w);
	resp_json(r, 200, b);
	return 0;
}
