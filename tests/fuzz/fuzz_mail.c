/* fuzz_mail.c - fuzz harness: a reply's header section, as an IMAP server
 * returns it for FETCH BODY[HEADER], through the header reader (mime.c) and
 * the matching of replies to the exchanges sent (inbox.c's inbox_match),
 * against a fixed set of exchanges: open ones, an answered one. */
#include "config.h"

#include <string.h>
#include <unistr.h>

#include "exchange.h"
#include "fuzz.h"

#define NOW 1800000000LL

/* Tokens as mime_token_new makes them; the seeds in corpus/mail refer to
 * these. */
static pocdir_exchange exchanges[] = {
    {.kind = POCDIR_EXCHANGE_PING,
     .token = "pd0123456789abcdef0123",
     .entry = "KR/krcert",
     .sent = NOW - 86400},
    {.kind = POCDIR_EXCHANGE_PING,
     .token = "pdfedcba9876543210fedc",
     .entry = "JP/jpcert",
     .sent = NOW - 3 * 86400,
     .answered = NOW - 86400},
    {.kind = POCDIR_EXCHANGE_NOTIFICATION,
     .token = "pd00000000000000000000",
     .entry = "DE/cert-bund",
     .sent = NOW - 600},
};
#define NEXCHANGES (sizeof(exchanges) / sizeof(exchanges[0]))

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	return 0;
}

/* A field kept of the header: a C string within its room, and UTF-8 as
 * the reader promises (it is written into the answer's YAML record). */
static void check_field(const char *v, size_t room)
{
	size_t n = strnlen(v, room);

	FUZZ_ASSERT(n < room);
	FUZZ_ASSERT(u8_check((const uint8_t *)v, n) == NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct inbox_reply r;
	char why[700];
	int verdict;

	if (size > MAIL_MAX_HEADER)
		return 0; /* the fetch never returns more */
	why[0] = '\0';
	verdict =
	    inbox_match((const char *)data, size, exchanges, NEXCHANGES, NOW, &r, why, sizeof(why));
	FUZZ_ASSERT(verdict == INBOX_REFUSED || verdict == INBOX_KNOWN || verdict == INBOX_ANSWER);
	if (verdict == INBOX_REFUSED)
		FUZZ_ASSERT(why[0] != '\0' && strnlen(why, sizeof(why)) < sizeof(why));
	if (r.parsed) {
		FUZZ_ASSERT(r.h.fields > 0 && r.h.fields <= MAIL_MAX_FIELDS);
		check_field(r.h.message_id, sizeof(r.h.message_id));
		check_field(r.h.in_reply_to, sizeof(r.h.in_reply_to));
		check_field(r.h.references, sizeof(r.h.references));
		check_field(r.h.subject, sizeof(r.h.subject));
		check_field(r.h.from, sizeof(r.h.from));
		check_field(r.h.date, sizeof(r.h.date));
		check_field(r.h.content_type, sizeof(r.h.content_type));
		check_field(r.h.auto_submitted, sizeof(r.h.auto_submitted));
	} else {
		FUZZ_ASSERT(verdict == INBOX_REFUSED && r.token[0] == '\0' && r.ex == NULL);
	}
	if (r.token[0] != '\0')
		FUZZ_ASSERT(mime_token_valid(r.token));
	if (r.ex != NULL)
		FUZZ_ASSERT(strcmp(r.ex->token, r.token) == 0);
	if (verdict == INBOX_KNOWN)
		FUZZ_ASSERT(r.ex != NULL && r.ex->answered != 0);
	if (verdict == INBOX_ANSWER) {
		FUZZ_ASSERT(r.ex != NULL && r.ex->answered == 0);
		FUZZ_ASSERT(r.date >= r.ex->sent && r.date <= NOW);
	}
	return 0;
}
