/* fuzz_mail.c - fuzz harness: a reply's header section, as an IMAP server
 * returns it for FETCH BODY[HEADER], through the header reader (mime.c) and
 * the matching of replies to the exchanges sent (inbox.c's inbox_match),
 * against a fixed set of exchanges: open ones, an answered one. The same
 * bytes, when they are UTF-8, are then the display name and the subject
 * (after "[pocdir TOKEN] ", as ping.c and notify.c write it) of a message
 * mime_build renders, whose header the reader must take back. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
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

/* What mime_build renders with the input as subject and display name: the
 * reader takes its header back (lines within 998 bytes, UTF-8, fields);
 * when the subject went as it is, it finds the token there and calls the
 * message this node's own. (A subject sent as RFC 2047 encoded words hides
 * the token: the reader does not decode them.) */
static void check_built(const uint8_t *data, size_t size)
{
	char text[1200], subject[1300], *eml = NULL;
	struct mime_part part = {"text/plain; charset=utf-8", NULL, "check\n", 6, false};
	struct mime_message m = {"pocdir@node.example",
	                         text,
	                         "poc@cert.example",
	                         subject,
	                         "pd0123456789abcdef0123@node.example",
	                         "pd0123456789abcdef0123",
	                         NOW,
	                         &part,
	                         1};
	struct inbox_reply r;
	pocdir_error err;
	char why[700];
	size_t len = 0;

	if (size >= sizeof(text) || memchr(data, '\0', size) != NULL ||
	    u8_check(data, size) != NULL)
		return;
	memcpy(text, data, size);
	text[size] = '\0';
	snprintf(subject, sizeof(subject), "[pocdir pd0123456789abcdef0123] %s", text);
	FUZZ_ASSERT(mime_build(&m, &eml, &len, &err) == 0);
	if (inbox_match(eml, len, exchanges, NEXCHANGES, NOW, &r, why, sizeof(why)) !=
	        INBOX_REFUSED ||
	    !r.parsed)
		fprintf(stderr, "fuzz_mail: the built message: %s\n", why);
	FUZZ_ASSERT(r.parsed);
	if (strstr(eml, "Subject: [pocdir pd0123456789abcdef0123] ") != NULL)
		FUZZ_ASSERT(strcmp(r.token, "pd0123456789abcdef0123") == 0 &&
		            strstr(why, "own message") != NULL);
	free(eml);
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
	check_built(data, size);
	return 0;
}
