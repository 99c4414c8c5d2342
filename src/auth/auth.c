/*
 * Credentials and the role matrix. See auth.h.
 *
 * libsodium does the cryptography: crypto_pwhash_str_alg (Argon2id, salt and
 * parameters inside the string it returns), randombytes_buf, crypto_hash_sha256,
 * sodium_bin2base64 and sodium_memcmp. Nothing here is hand-written crypto.
 */
#include "auth/auth.h"

#include <string.h>

#include <sodium.h>

int auth_init(void)
{
	return sodium_init() < 0 ? -1 : 0;
}

int auth_password_hash(const char *password, char out[AUTH_HASH_MAX])
{
	_Static_assert(crypto_pwhash_STRBYTES <= AUTH_HASH_MAX, "hash string size");
	return crypto_pwhash_str_alg(out, password, strlen(password),
				     crypto_pwhash_OPSLIMIT_INTERACTIVE,
				     crypto_pwhash_MEMLIMIT_INTERACTIVE,
				     crypto_pwhash_ALG_ARGON2ID13) == 0 ? 0 : -1;
}

int auth_password_verify(const char *hash, const char *password)
{
	if (!hash || !password || strlen(hash) >= crypto_pwhash_STRBYTES)
		return 0;
	return crypto_pwhash_str_verify(hash, password, strlen(password)) == 0;
}

const char *auth_password_problem(const char *password)
{
	size_t n = 0;

	/* Count characters, not bytes: a passphrase in any script is fine. */
	for (const unsigned char *p = (const unsigned char *)password; *p; p++)
		if ((*p & 0xC0) != 0x80)
			n++;
	if (n < AUTH_PASSWORD_MIN)
		return "The password must be at least 10 characters long.";
	if (strlen(password) > AUTH_PASSWORD_MAX)
		return "The password is too long (at most 1,024 bytes).";
	return NULL;
}

void auth_token_new(char out[AUTH_TOKEN_LEN + 1])
{
	unsigned char raw[32];

	randombytes_buf(raw, sizeof(raw));
	sodium_bin2base64(out, AUTH_TOKEN_LEN + 1, raw, sizeof(raw),
			  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	sodium_memzero(raw, sizeof(raw));
}

void auth_token_hash(const char *token, size_t len, unsigned char out[STORE_TOKEN_HASH_LEN])
{
	_Static_assert(crypto_hash_sha256_BYTES == STORE_TOKEN_HASH_LEN, "hash size");
	crypto_hash_sha256(out, (const unsigned char *)token, len);
}

int auth_equal(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);

	if (la != lb)
		return 0; /* lengths are not secret: every token has the same one */
	return sodium_memcmp(a, b, la) == 0;
}

int auth_can(enum model_role role, enum auth_action action)
{
	enum model_role need;

	switch (action) {
	case AUTH_NEWSROOM_READ:
	case AUTH_DRAFT_WRITE:
	case AUTH_MEDIA_UPLOAD:
		need = MODEL_ROLE_CONTRIBUTOR;
		break;
	case AUTH_DRAFT_ANY:
	case AUTH_POST_PUBLISH:
	case AUTH_POST_EDIT:
	case AUTH_POST_DELETE:
	case AUTH_POST_PIN:
	case AUTH_SUMMARY_EDIT:
	case AUTH_PAGE_STATUS:
	case AUTH_PAGE_PUBLISH:
	case AUTH_AUDIT_READ:
		need = MODEL_ROLE_EDITOR;
		break;
	case AUTH_PAGE_ADMIN:
	case AUTH_USER_ADMIN:
	default:
		need = MODEL_ROLE_ADMIN;
		break;
	}
	return role >= need;
}
