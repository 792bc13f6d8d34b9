/* validate.h - checks of single field values from the YAML: country codes,
 * phone numbers, e-mail addresses, time zones, language tags, dates, PGP
 * fingerprints, roles and agency types. Pure functions: each returns true when
 * the value is valid and otherwise writes a sentence saying what was expected
 * into why (why may be NULL). */
#ifndef POCDIR_VALIDATE_H
#define POCDIR_VALIDATE_H

#include <stdbool.h>
#include <stddef.h>

/* ISO 3166-1 alpha-2, upper case, the full officially assigned table, plus
 * "EU" (exceptionally reserved, used for the European Union). */
bool validate_country(const char *s, char *why, size_t whysize);

/* The English short name of a country code ("KR" -> "Korea, Republic of"),
 * or NULL for an unknown code. */
const char *validate_country_name(const char *code);

/* E.164: '+', country code, 1-15 digits in all; spaces and '-' allowed
 * between digit groups, nothing else. */
bool validate_phone(const char *s, char *why, size_t whysize);

/* Addr-spec of RFC 5322 in its common dot-atom form: local@domain with a
 * dotted domain of LDH labels; at most 254 bytes. */
bool validate_email(const char *s, char *why, size_t whysize);

/* An IANA zone name that exists in the system's tzdata
 * (/usr/share/zoneinfo, or $TZDIR), e.g. "Asia/Seoul". No path tricks. */
bool validate_timezone(const char *s, char *why, size_t whysize);

/* BCP 47 (RFC 5646) language tag syntax: language[-script][-region]
 * [-variant]*[-extension]*[-privateuse], e.g. "en", "zh-Hant-TW". */
bool validate_language(const char *s, char *why, size_t whysize);

/* An ISO 8601 calendar date YYYY-MM-DD that exists (leap years checked). */
bool validate_date(const char *s, char *why, size_t whysize);

/* An ISO 8601 UTC timestamp YYYY-MM-DDTHH:MM:SSZ, or a date. */
bool validate_timestamp(const char *s, char *why, size_t whysize);

/* 40 hexadecimal digits, spaces allowed between groups of 4. */
bool validate_pgp_fingerprint(const char *s, char *why, size_t whysize);

/* A role: one of the documented words (policy, diplomatic, technical,
 * incident-response, law-enforcement, senior, 24x7, coordination, legal,
 * media) or an "x-" extension word. */
bool validate_role(const char *s, char *why, size_t whysize);

/* The documented role words, NULL-terminated (for pickers and help). */
const char *const *validate_role_words(void);

/* An agency type: foreign-affairs | national-cert | csirt | law-enforcement |
 * defence | regulator | ministry | intelligence | other. */
bool validate_agency_type(const char *s, char *why, size_t whysize);

/* An id: 1-64 of [a-z0-9._-], starting with a letter or digit. */
bool validate_id(const char *s, char *why, size_t whysize);

/* A web address: http:// or https:// followed by a host. */
bool validate_url(const char *s, char *why, size_t whysize);

/* Opening hours in the simple form "Mo-Fr 09:00-18:00" (several ranges
 * separated by ", " or "; "), or "24/7". */
bool validate_hours(const char *s, char *why, size_t whysize);

/* Are hours open at local weekday wday (0 Monday) and minute of the day?
 * 1 open, 0 closed, -1 when hours cannot be read. */
int validate_hours_at(const char *hours, int wday, int minute);

/* Is the moment `now` (UTC seconds) within hours, read in timezone tz?
 * Returns 1 open, 0 closed, -1 when hours or tz cannot be read. local, when
 * not NULL, receives the local time "HH:MM Dy" (at least 16 bytes). Thread
 * safe: does not touch the process's TZ. */
int validate_hours_open(const char *hours, const char *tz, long long now, char *local,
                        size_t localsize);

#endif /* POCDIR_VALIDATE_H */
