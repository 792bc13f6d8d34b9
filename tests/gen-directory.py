#!/usr/bin/python3
"""gen-directory.py - write a large, realistic, fictional PoC directory for tests and benchmarks.

    gen-directory.py --origins K --entries N [--seed S] [--serial SERIAL] --out DIR

writes DIR/origins/<id>.yaml in the format of pocdir-directory(5): K origins, N
entries spread across them, the same bytes for the same arguments.

Origins take real ISO 3166-1 alpha-2 codes, the 27 ARF participants first, one
code each while K <= 249.  Beyond that several origins share a country (origin
ids "kr-2", "kr-3"...); because an entry id must be unique within its country,
whoever publishes it, the entries of a later origin carry a prefix ("o2.").

Everything personal is made up: names are drawn from syllables, e-mail domains
end in .example (RFC 2606), phone numbers use the country's real calling code
with "0000" subscriber parts.  Stdlib only; 100,000 entries take a few seconds.
"""

import argparse
import itertools
import os
import random
import re
import sys
import unicodedata

# code, ITU calling code, one real IANA zone, main language (BCP 47).
COUNTRIES = [
    ("AD", "376", "Europe/Andorra", "ca"), ("AE", "971", "Asia/Dubai", "ar"),
    ("AF", "93", "Asia/Kabul", "ps"), ("AG", "1268", "America/Antigua", "en"),
    ("AI", "1264", "America/Anguilla", "en"), ("AL", "355", "Europe/Tirane", "sq"),
    ("AM", "374", "Asia/Yerevan", "hy"), ("AO", "244", "Africa/Luanda", "pt"),
    ("AQ", "672", "Antarctica/McMurdo", "en"), ("AR", "54", "America/Argentina/Buenos_Aires", "es"),
    ("AS", "1684", "Pacific/Pago_Pago", "sm"), ("AT", "43", "Europe/Vienna", "de-AT"),
    ("AU", "61", "Australia/Sydney", "en-AU"), ("AW", "297", "America/Aruba", "nl"),
    ("AX", "358", "Europe/Mariehamn", "sv"), ("AZ", "994", "Asia/Baku", "az"),
    ("BA", "387", "Europe/Sarajevo", "bs"), ("BB", "1246", "America/Barbados", "en"),
    ("BD", "880", "Asia/Dhaka", "bn"), ("BE", "32", "Europe/Brussels", "nl-BE"),
    ("BF", "226", "Africa/Ouagadougou", "fr"), ("BG", "359", "Europe/Sofia", "bg"),
    ("BH", "973", "Asia/Bahrain", "ar"), ("BI", "257", "Africa/Bujumbura", "rn"),
    ("BJ", "229", "Africa/Porto-Novo", "fr"), ("BL", "590", "America/St_Barthelemy", "fr"),
    ("BM", "1441", "Atlantic/Bermuda", "en"), ("BN", "673", "Asia/Brunei", "ms"),
    ("BO", "591", "America/La_Paz", "es"), ("BQ", "599", "America/Kralendijk", "nl"),
    ("BR", "55", "America/Sao_Paulo", "pt-BR"), ("BS", "1242", "America/Nassau", "en"),
    ("BT", "975", "Asia/Thimphu", "dz"), ("BV", "47", "Europe/Oslo", "nb"),
    ("BW", "267", "Africa/Gaborone", "en"), ("BY", "375", "Europe/Minsk", "be"),
    ("BZ", "501", "America/Belize", "en"), ("CA", "1", "America/Toronto", "en-CA"),
    ("CC", "61", "Indian/Cocos", "en"), ("CD", "243", "Africa/Kinshasa", "fr"),
    ("CF", "236", "Africa/Bangui", "fr"), ("CG", "242", "Africa/Brazzaville", "fr"),
    ("CH", "41", "Europe/Zurich", "de-CH"), ("CI", "225", "Africa/Abidjan", "fr"),
    ("CK", "682", "Pacific/Rarotonga", "en"), ("CL", "56", "America/Santiago", "es"),
    ("CM", "237", "Africa/Douala", "fr"), ("CN", "86", "Asia/Shanghai", "zh-Hans"),
    ("CO", "57", "America/Bogota", "es"), ("CR", "506", "America/Costa_Rica", "es"),
    ("CU", "53", "America/Havana", "es"), ("CV", "238", "Atlantic/Cape_Verde", "pt"),
    ("CW", "599", "America/Curacao", "nl"), ("CX", "61", "Indian/Christmas", "en"),
    ("CY", "357", "Asia/Nicosia", "el"), ("CZ", "420", "Europe/Prague", "cs"),
    ("DE", "49", "Europe/Berlin", "de"), ("DJ", "253", "Africa/Djibouti", "fr"),
    ("DK", "45", "Europe/Copenhagen", "da"), ("DM", "1767", "America/Dominica", "en"),
    ("DO", "1809", "America/Santo_Domingo", "es"), ("DZ", "213", "Africa/Algiers", "ar"),
    ("EC", "593", "America/Guayaquil", "es"), ("EE", "372", "Europe/Tallinn", "et"),
    ("EG", "20", "Africa/Cairo", "ar"), ("EH", "212", "Africa/El_Aaiun", "ar"),
    ("ER", "291", "Africa/Asmara", "ti"), ("ES", "34", "Europe/Madrid", "es-ES"),
    ("ET", "251", "Africa/Addis_Ababa", "am"), ("FI", "358", "Europe/Helsinki", "fi"),
    ("FJ", "679", "Pacific/Fiji", "en"), ("FK", "500", "Atlantic/Stanley", "en"),
    ("FM", "691", "Pacific/Pohnpei", "en"), ("FO", "298", "Atlantic/Faroe", "fo"),
    ("FR", "33", "Europe/Paris", "fr"), ("GA", "241", "Africa/Libreville", "fr"),
    ("GB", "44", "Europe/London", "en-GB"), ("GD", "1473", "America/Grenada", "en"),
    ("GE", "995", "Asia/Tbilisi", "ka"), ("GF", "594", "America/Cayenne", "fr"),
    ("GG", "44", "Europe/Guernsey", "en"), ("GH", "233", "Africa/Accra", "en"),
    ("GI", "350", "Europe/Gibraltar", "en"), ("GL", "299", "America/Nuuk", "kl"),
    ("GM", "220", "Africa/Banjul", "en"), ("GN", "224", "Africa/Conakry", "fr"),
    ("GP", "590", "America/Guadeloupe", "fr"), ("GQ", "240", "Africa/Malabo", "es"),
    ("GR", "30", "Europe/Athens", "el"), ("GS", "500", "Atlantic/South_Georgia", "en"),
    ("GT", "502", "America/Guatemala", "es"), ("GU", "1671", "Pacific/Guam", "en"),
    ("GW", "245", "Africa/Bissau", "pt"), ("GY", "592", "America/Guyana", "en"),
    ("HK", "852", "Asia/Hong_Kong", "zh-Hant-HK"), ("HM", "672", "Indian/Kerguelen", "en"),
    ("HN", "504", "America/Tegucigalpa", "es"), ("HR", "385", "Europe/Zagreb", "hr"),
    ("HT", "509", "America/Port-au-Prince", "fr"), ("HU", "36", "Europe/Budapest", "hu"),
    ("ID", "62", "Asia/Jakarta", "id"), ("IE", "353", "Europe/Dublin", "en-IE"),
    ("IL", "972", "Asia/Jerusalem", "he"), ("IM", "44", "Europe/Isle_of_Man", "en"),
    ("IN", "91", "Asia/Kolkata", "hi"), ("IO", "246", "Indian/Chagos", "en"),
    ("IQ", "964", "Asia/Baghdad", "ar"), ("IR", "98", "Asia/Tehran", "fa"),
    ("IS", "354", "Atlantic/Reykjavik", "is"), ("IT", "39", "Europe/Rome", "it"),
    ("JE", "44", "Europe/Jersey", "en"), ("JM", "1876", "America/Jamaica", "en"),
    ("JO", "962", "Asia/Amman", "ar"), ("JP", "81", "Asia/Tokyo", "ja"),
    ("KE", "254", "Africa/Nairobi", "sw"), ("KG", "996", "Asia/Bishkek", "ky"),
    ("KH", "855", "Asia/Phnom_Penh", "km"), ("KI", "686", "Pacific/Tarawa", "en"),
    ("KM", "269", "Indian/Comoro", "ar"), ("KN", "1869", "America/St_Kitts", "en"),
    ("KP", "850", "Asia/Pyongyang", "ko"), ("KR", "82", "Asia/Seoul", "ko"),
    ("KW", "965", "Asia/Kuwait", "ar"), ("KY", "1345", "America/Cayman", "en"),
    ("KZ", "7", "Asia/Almaty", "kk"), ("LA", "856", "Asia/Vientiane", "lo"),
    ("LB", "961", "Asia/Beirut", "ar"), ("LC", "1758", "America/St_Lucia", "en"),
    ("LI", "423", "Europe/Vaduz", "de"), ("LK", "94", "Asia/Colombo", "si"),
    ("LR", "231", "Africa/Monrovia", "en"), ("LS", "266", "Africa/Maseru", "st"),
    ("LT", "370", "Europe/Vilnius", "lt"), ("LU", "352", "Europe/Luxembourg", "lb"),
    ("LV", "371", "Europe/Riga", "lv"), ("LY", "218", "Africa/Tripoli", "ar"),
    ("MA", "212", "Africa/Casablanca", "ar"), ("MC", "377", "Europe/Monaco", "fr"),
    ("MD", "373", "Europe/Chisinau", "ro"), ("ME", "382", "Europe/Podgorica", "sr-Latn"),
    ("MF", "590", "America/Marigot", "fr"), ("MG", "261", "Indian/Antananarivo", "mg"),
    ("MH", "692", "Pacific/Majuro", "mh"), ("MK", "389", "Europe/Skopje", "mk"),
    ("ML", "223", "Africa/Bamako", "fr"), ("MM", "95", "Asia/Yangon", "my"),
    ("MN", "976", "Asia/Ulaanbaatar", "mn"), ("MO", "853", "Asia/Macau", "zh-Hant-MO"),
    ("MP", "1670", "Pacific/Saipan", "en"), ("MQ", "596", "America/Martinique", "fr"),
    ("MR", "222", "Africa/Nouakchott", "ar"), ("MS", "1664", "America/Montserrat", "en"),
    ("MT", "356", "Europe/Malta", "mt"), ("MU", "230", "Indian/Mauritius", "en"),
    ("MV", "960", "Indian/Maldives", "dv"), ("MW", "265", "Africa/Blantyre", "ny"),
    ("MX", "52", "America/Mexico_City", "es-MX"), ("MY", "60", "Asia/Kuala_Lumpur", "ms"),
    ("MZ", "258", "Africa/Maputo", "pt"), ("NA", "264", "Africa/Windhoek", "en"),
    ("NC", "687", "Pacific/Noumea", "fr"), ("NE", "227", "Africa/Niamey", "fr"),
    ("NF", "672", "Pacific/Norfolk", "en"), ("NG", "234", "Africa/Lagos", "en-NG"),
    ("NI", "505", "America/Managua", "es"), ("NL", "31", "Europe/Amsterdam", "nl"),
    ("NO", "47", "Europe/Oslo", "nb"), ("NP", "977", "Asia/Kathmandu", "ne"),
    ("NR", "674", "Pacific/Nauru", "na"), ("NU", "683", "Pacific/Niue", "niu"),
    ("NZ", "64", "Pacific/Auckland", "en-NZ"), ("OM", "968", "Asia/Muscat", "ar"),
    ("PA", "507", "America/Panama", "es"), ("PE", "51", "America/Lima", "es"),
    ("PF", "689", "Pacific/Tahiti", "fr"), ("PG", "675", "Pacific/Port_Moresby", "tpi"),
    ("PH", "63", "Asia/Manila", "fil"), ("PK", "92", "Asia/Karachi", "ur"),
    ("PL", "48", "Europe/Warsaw", "pl"), ("PM", "508", "America/Miquelon", "fr"),
    ("PN", "64", "Pacific/Pitcairn", "en"), ("PR", "1787", "America/Puerto_Rico", "es-PR"),
    ("PS", "970", "Asia/Gaza", "ar"), ("PT", "351", "Europe/Lisbon", "pt-PT"),
    ("PW", "680", "Pacific/Palau", "en"), ("PY", "595", "America/Asuncion", "es"),
    ("QA", "974", "Asia/Qatar", "ar"), ("RE", "262", "Indian/Reunion", "fr"),
    ("RO", "40", "Europe/Bucharest", "ro"), ("RS", "381", "Europe/Belgrade", "sr-Cyrl"),
    ("RU", "7", "Europe/Moscow", "ru"), ("RW", "250", "Africa/Kigali", "rw"),
    ("SA", "966", "Asia/Riyadh", "ar"), ("SB", "677", "Pacific/Guadalcanal", "en"),
    ("SC", "248", "Indian/Mahe", "en"), ("SD", "249", "Africa/Khartoum", "ar"),
    ("SE", "46", "Europe/Stockholm", "sv"), ("SG", "65", "Asia/Singapore", "en-SG"),
    ("SH", "290", "Atlantic/St_Helena", "en"), ("SI", "386", "Europe/Ljubljana", "sl"),
    ("SJ", "47", "Arctic/Longyearbyen", "nb"), ("SK", "421", "Europe/Bratislava", "sk"),
    ("SL", "232", "Africa/Freetown", "en"), ("SM", "378", "Europe/San_Marino", "it"),
    ("SN", "221", "Africa/Dakar", "fr"), ("SO", "252", "Africa/Mogadishu", "so"),
    ("SR", "597", "America/Paramaribo", "nl"), ("SS", "211", "Africa/Juba", "en"),
    ("ST", "239", "Africa/Sao_Tome", "pt"), ("SV", "503", "America/El_Salvador", "es"),
    ("SX", "1721", "America/Lower_Princes", "nl"), ("SY", "963", "Asia/Damascus", "ar"),
    ("SZ", "268", "Africa/Mbabane", "ss"), ("TC", "1649", "America/Grand_Turk", "en"),
    ("TD", "235", "Africa/Ndjamena", "fr"), ("TF", "262", "Indian/Kerguelen", "fr"),
    ("TG", "228", "Africa/Lome", "fr"), ("TH", "66", "Asia/Bangkok", "th"),
    ("TJ", "992", "Asia/Dushanbe", "tg"), ("TK", "690", "Pacific/Fakaofo", "tkl"),
    ("TL", "670", "Asia/Dili", "tet"), ("TM", "993", "Asia/Ashgabat", "tk"),
    ("TN", "216", "Africa/Tunis", "ar"), ("TO", "676", "Pacific/Tongatapu", "to"),
    ("TR", "90", "Europe/Istanbul", "tr"), ("TT", "1868", "America/Port_of_Spain", "en"),
    ("TV", "688", "Pacific/Funafuti", "tvl"), ("TW", "886", "Asia/Taipei", "zh-Hant-TW"),
    ("TZ", "255", "Africa/Dar_es_Salaam", "sw"), ("UA", "380", "Europe/Kyiv", "uk"),
    ("UG", "256", "Africa/Kampala", "en"), ("UM", "1", "Pacific/Wake", "en"),
    ("US", "1", "America/New_York", "en-US"), ("UY", "598", "America/Montevideo", "es"),
    ("UZ", "998", "Asia/Tashkent", "uz"), ("VA", "379", "Europe/Vatican", "it"),
    ("VC", "1784", "America/St_Vincent", "en"), ("VE", "58", "America/Caracas", "es"),
    ("VG", "1284", "America/Tortola", "en"), ("VI", "1340", "America/St_Thomas", "en"),
    ("VN", "84", "Asia/Ho_Chi_Minh", "vi"), ("VU", "678", "Pacific/Efate", "bi"),
    ("WF", "681", "Pacific/Wallis", "fr"), ("WS", "685", "Pacific/Apia", "sm"),
    ("YE", "967", "Asia/Aden", "ar"), ("YT", "262", "Indian/Mayotte", "fr"),
    ("ZA", "27", "Africa/Johannesburg", "en-ZA"), ("ZM", "260", "Africa/Lusaka", "en"),
    ("ZW", "263", "Africa/Harare", "en"),
]

# The ARF participants come first so that --origins 27 gives the ARF set.
ARF = ["BN", "KH", "ID", "LA", "MY", "MM", "PH", "SG", "TH", "VN", "AU", "BD", "CA",
       "CN", "IN", "JP", "KP", "KR", "MN", "NZ", "PK", "PG", "RU", "LK", "TL", "US"]

# (agency-type, weight, agency name templates, role sets, function names)
AGENCIES = [
    ("foreign-affairs", 14,
     ["Ministry of Foreign Affairs", "Ministry of Foreign Affairs, {Region} Liaison Office",
      "Embassy in {City}", "Permanent Mission to the United Nations"],
     [["policy", "diplomatic"], ["senior", "diplomatic"], ["policy", "diplomatic", "coordination"]],
     ["Director, International Cyber Policy", "Cyber Affairs Desk", "Ambassador for Cyber Affairs",
      "Deputy Director, International Security", "Political Counsellor"]),
    ("national-cert", 16,
     ["National CERT", "National Cyber Security Centre", "Government CSIRT",
      "National CERT, {City} Branch"],
     [["technical", "incident-response", "24x7"], ["technical", "incident-response"],
      ["technical", "coordination"]],
     ["Incident Handling Desk", "Duty Officer", "Head of Incident Response",
      "Threat Intelligence Team", "Vulnerability Coordination"]),
    ("csirt", 24,
     ["{Sector} Sector CSIRT", "{Sector} ISAC", "University of {City} CSIRT", "{City} Metro CSIRT",
      "{Org} Security Operations Centre", "{Org} CERT"],
     [["technical", "incident-response"], ["technical", "incident-response", "24x7"],
      ["technical"]],
     ["Security Operations Centre", "Incident Coordinator", "Team Lead", "Abuse Desk",
      "Malware Analysis"]),
    ("law-enforcement", 12,
     ["National Police, Cybercrime Unit", "{City} Police Cyber Crime Division",
      "Financial Crimes Investigation Service", "National Police, 24/7 Network Point of Contact"],
     [["law-enforcement"], ["law-enforcement", "24x7"], ["law-enforcement", "legal"]],
     ["Duty Officer", "Head of International Cooperation", "Cybercrime Investigator",
      "Liaison Officer"]),
    ("defence", 5,
     ["Ministry of Defence, Cyber Command", "Armed Forces CERT"],
     [["technical", "senior"], ["technical", "incident-response"], ["policy"]],
     ["Liaison Officer", "Head of Cyber Operations", "Policy Adviser"]),
    ("regulator", 10,
     ["National Cyber Security Agency", "Telecommunications Regulatory Authority",
      "Data Protection Authority", "Central Bank, Cyber Resilience Office",
      "Energy Regulator, {Region} Office"],
     [["policy", "coordination"], ["policy", "technical"], ["legal", "policy"], ["media"]],
     ["Director, International Cooperation", "Head of Cyber Resilience", "Legal Counsel",
      "Press Office", "Policy Officer"]),
    ("ministry", 10,
     ["Ministry of Digital Affairs", "Ministry of the Interior", "Ministry of Justice",
      "Ministry of Communications, {Region} Directorate"],
     [["policy"], ["policy", "legal"], ["coordination", "senior"], ["technical", "policy"]],
     ["Director-General, Digital Security", "Central Authority for Mutual Legal Assistance",
      "Head of Unit", "Senior Adviser"]),
    ("intelligence", 3,
     ["National Security Service, Cyber Centre"],
     [["technical", "24x7"], ["senior"]],
     ["Situation Room", "Liaison Office"]),
    ("other", 6,
     ["{Org} Internet Exchange", "National Internet Registry", "{Org} Telecom Abuse Team",
      "{City} Hospital Group IT Security"],
     [["technical"], ["technical", "24x7"], ["coordination"]],
     ["Network Operations Centre", "Abuse Desk", "Information Security Officer"]),
]

SECTORS = ["Energy", "Finance", "Health", "Transport", "Telecommunications", "Water",
           "Government", "Education", "Maritime", "Aviation", "Defence Industry", "Space"]
TITLES = ["Director", "Deputy Director", "Head of Unit", "Senior Analyst", "Team Lead",
          "Counsellor", "Chief Information Security Officer", "Programme Manager"]
ONSETS = ["b", "d", "g", "h", "k", "l", "m", "n", "p", "r", "s", "t", "v", "y", "z",
          "ch", "sh", "th", "kr", "tr", "br", "j"]
NUCLEI = ["a", "e", "i", "o", "u", "ai", "ei", "ou", "ia", "ao", "é", "ü"]
CODAS = ["", "", "", "n", "r", "l", "s", "m", "ng", "k"]
SYLLABLES = [o + n + c for o in ONSETS for n in NUCLEI for c in CODAS]
HOURS = ["Mo-Fr 09:00-17:00", "Mo-Fr 08:00-16:00", "Mo-Fr 08:30-17:30", "Mo-Fr 09:00-18:00",
         "Mo-Th 08:00-17:00, Fr 08:00-12:00", "Su-Th 09:00-17:00", "Mo-Sa 08:00-14:00"]
NOTES = ["Prefers e-mail for first contact.", "Encrypt sensitive reports with the PGP key.",
         "Send a copy to the 24x7 address outside office hours.",
         "Requests for data preservation go through the central authority.",
         "Answers in English and the national language.", "Ping test answered within one hour."]

# Days since 2025-01-01 -> ISO date, without datetime so the output is plain strings.
MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]


def iso_date(year, day_of_year):
    """A YYYY-MM-DD string for a 0-based day in a non-leap year (2025, 2026, 2027)."""
    month = 0
    while day_of_year >= MONTH_DAYS[month]:
        day_of_year -= MONTH_DAYS[month]
        month += 1
    return "%04d-%02d-%02d" % (year, month + 1, day_of_year + 1)


PLAIN = re.compile(r"^[A-Za-z0-9\u00c0-\u024f][A-Za-z0-9\u00c0-\u024f .,/()'&|@+_-]*$")


def scalar(value):
    """value as a YAML scalar: plain when that is unambiguous, else double-quoted."""
    if PLAIN.match(value) and not value.endswith(" ") and ": " not in value \
            and value.lower() not in ("yes", "no", "true", "false", "null", "on", "off", "y", "n"):
        return value
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def flow(values):
    """values as a YAML flow sequence; inside [...] a comma or bracket needs quotes."""
    return "[" + ", ".join('"%s"' % v if any(ch in v for ch in ",[]{}") else scalar(v)
                           for v in values) + "]"


def ascii_fold(text):
    """"Péng" -> "Peng": drop the accents, keep the letters."""
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()


def slug(text):
    s = re.sub(r"[^a-z0-9]+", "-", ascii_fold(text).lower()).strip("-")
    return s[:24].strip("-") or "x"


SMALL_WORDS = {"of", "the", "for", "and", "to", "in"}


def domain_label(agency, proper):
    """A DNS label for an agency: its initials ("mfa"), with the made-up place
    or organisation name it carries ("ksoc-kaohom"), so that one agency keeps
    one domain and the label stays short (RFC 1035: at most 63 octets)."""
    words = re.findall(r"[A-Za-z0-9]+", ascii_fold(agency))
    initials = "".join(w[0] for w in words if w.lower() not in SMALL_WORDS).lower()
    label = initials + ("-" + slug(proper) if proper else "")
    return label[:63].strip("-")


class Generator:
    def __init__(self, seed):
        self.rng = random.Random(seed)
        self.cum_weights = list(itertools.accumulate(a[1] for a in AGENCIES))

    def word(self, syllables):
        choice = self.rng.choice
        return "".join(choice(SYLLABLES) for _ in range(syllables)).capitalize()

    def ascii_word(self, syllables):
        w = self.word(syllables)
        return w.replace("é", "e").replace("ü", "u")

    def person(self):
        r = self.rng
        given = self.word(r.randint(1, 3))
        family = self.word(r.randint(1, 3))
        if r.random() < 0.3:
            given += "-" + self.word(1).lower()
        return given, family

    def phone(self, cc, n):
        """An E.164 number: country code, a short area part, fictional 0000 block."""
        area = str(self.rng.randint(2, 99))
        # E.164 allows 15 digits in all; cc (1-4) + area (1-2) + 8 stays below.
        return "+%s %s 0000 %04d" % (cc, area, n % 10000)

    def entry(self, country, cc, zone, lang, prefix, n, out):
        """Append entry number n of a country's set to out (a list of lines)."""
        r = self.rng
        atype, _, names, rolesets, functions = r.choices(AGENCIES, cum_weights=self.cum_weights)[0]
        entry_id = "%s%s-%06d" % (prefix, atype, n)
        template = r.choice(names)
        # Only the made-up names the template uses are drawn (they cost time).
        city = self.ascii_word(r.randint(2, 3))
        words = {"City": city, "Sector": "", "Region": "", "Org": ""}
        proper = city if "{City}" in template else ""
        for key in ("Region", "Org"):
            if "{%s}" % key in template:
                words[key] = proper = self.ascii_word(2)
        if "{Sector}" in template:
            words["Sector"] = r.choice(SECTORS)
        agency = template.format(**words)
        roles = list(r.choice(rolesets))
        domain = "%s.%s.example" % (domain_label(agency, proper), country.lower())
        out.append("  - id: %s\n" % entry_id)
        out.append("    country: %s\n" % scalar(country))
        out.append("    agency: %s\n" % scalar(agency))
        out.append("    agency-type: %s\n" % atype)
        out.append("    roles: [%s]\n" % ", ".join(roles))
        if r.random() < 0.45:
            given, family = self.person()
            name = "%s %s" % (given, family)
            local = slug(given).replace("-", "") + "." + slug(family).replace("-", "")
            out.append("    name: %s\n" % scalar(name))
            out.append("    title: %s\n" % scalar(r.choice(TITLES)))
        else:
            name = r.choice(functions)
            local = re.sub(r"[^a-z0-9]+", "-", ascii_fold(name).lower()).strip("-")
            out.append("    name: %s\n" % scalar(name))
        # Roles, e-mail addresses and language tags are built from safe
        # characters only, so they go into flow lists without quoting.
        mails = ["%s@%s" % (local, domain)]
        if r.random() < 0.15:
            mails.append("%s-%d@%s" % (atype, n % 1000, domain))
        out.append("    email: [%s]\n" % ", ".join(mails))
        is24 = "24x7" in roles
        if is24:
            out.append("    email-24x7: [duty@%s]\n" % domain)
        out.append('    phone: ["%s"]\n' % self.phone(cc, n))
        if is24 or r.random() < 0.1:
            out.append('    phone-24x7: ["%s"]\n' % self.phone(cc, n + 5000))
        if r.random() < 0.25:
            out.append('    mobile: ["%s"]\n' % self.phone(cc, n + 2500))
        if r.random() < 0.12:
            out.append('    fax: ["%s"]\n' % self.phone(cc, n + 7500))
        if r.random() < 0.3:
            out.append("    address: |\n      %d %s Street\n      %s %05d\n      %s\n"
                       % (r.randint(1, 300), self.ascii_word(2), city, r.randint(1000, 99999),
                          country))
        if r.random() < 0.5:
            out.append("    website: https://www.%s/\n" % domain)
        out.append('    hours: "%s"\n' % ("24/7" if is24 else r.choice(HOURS)))
        out.append("    timezone: %s\n" % zone)
        out.append("    languages: [%s]\n" % (lang if lang.startswith("en") else lang + ", en"))
        if atype in ("national-cert", "csirt") and r.random() < 0.8:
            fp = "%040X" % r.getrandbits(160)
            fp = " ".join(fp[i:i + 4] for i in range(0, 40, 4))
            out.append('    pgp: { fingerprint: "%s", expires: %s }\n'
                       % (fp, iso_date(2027, r.randrange(365))))
            out.append("    constituency: %s\n" % scalar("%s users in %s" % (
                r.choice(SECTORS), country)))
        if r.random() < 0.1:
            out.append("    valid-from: %s\n" % iso_date(2026, r.randrange(180)))
            out.append("    valid-until: %s\n" % iso_date(2027, r.randrange(365)))
        out.append("    verified: %s\n" % (iso_date(2026, r.randrange(325)) if r.random() < 0.9
                                           else iso_date(2025, r.randrange(365))))
        if r.random() < 0.3:
            out.append("    changed: %s\n" % iso_date(2025, r.randrange(365)))
        if r.random() < 0.08:
            out.append("    notes: %s\n" % scalar(r.choice(NOTES)))
        if r.random() < 0.05:
            out.append("    x-benchmark-group: %d\n" % r.randrange(16))


def origin_plan(k):
    """K (origin id, country) pairs: one real code each, then shared codes."""
    table = {c[0]: c for c in COUNTRIES}
    order = ARF + ["EU"] + sorted(c for c in table if c not in ARF)
    plan = []
    for i in range(k):
        code = order[i % len(order)]
        rnd = i // len(order) + 1
        oid = code.lower() if rnd == 1 else "%s-%d" % (code.lower(), rnd)
        plan.append((oid, code, rnd))
    return plan


def split(total, parts, rng):
    """total entries over parts origins, each at least one, unevenly but fixed by rng."""
    weights = [rng.uniform(0.5, 1.5) for _ in range(parts)]
    scale = (total - parts) / sum(weights)
    counts = [1 + int(w * scale) for w in weights]
    for i in range(total - sum(counts)):
        counts[i % parts] += 1
    return counts


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--origins", type=int, required=True, help="number of origins (K)")
    ap.add_argument("--entries", type=int, required=True, help="number of entries in all (N)")
    ap.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    ap.add_argument("--serial", type=int, default=2026112201, help="serial of every set")
    ap.add_argument("--updated", default="2026-11-22T09:00:00Z", help="updated timestamp")
    ap.add_argument("--out", required=True, help="output folder (origins/ is created in it)")
    args = ap.parse_args()
    if args.origins < 1 or args.entries < args.origins:
        ap.error("need at least one origin and at least one entry per origin")
    if args.serial < 0:
        ap.error("the serial must not be negative")

    gen = Generator(args.seed)
    table = {c[0]: c for c in COUNTRIES}
    table["EU"] = ("EU", "32", "Europe/Brussels", "en")
    plan = origin_plan(args.origins)
    counts = split(args.entries, args.origins, gen.rng)
    folder = os.path.join(args.out, "origins")
    os.makedirs(folder, exist_ok=True)
    for (oid, code, rnd), count in zip(plan, counts):
        _, cc, zone, lang = table[code]
        prefix = "" if rnd == 1 else "o%d." % rnd
        # scalar() quotes "no" and "NO": YAML 1.1 readers take them for false.
        out = ["# %s - generated by gen-directory.py (fictional contacts)\n" % oid,
               "origin: %s\n" % scalar(oid),
               "name: %s\n" % scalar("Participant %s" % oid.upper()),
               "scope: %s\n" % flow([code]),
               "serial: %d\n" % args.serial,
               "updated: %s\n" % args.updated,
               "entries:\n"]
        for n in range(count):
            gen.entry(code, cc, zone, lang, prefix, n, out)
        path = os.path.join(folder, oid + ".yaml")
        tmp = path + ".tmp"
        with open(tmp, "w", encoding="utf-8") as f:
            f.write("".join(out))
        os.replace(tmp, path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
