#!/usr/bin/env python3
"""Regenerates aliases.tsv: the UN member and observer states that speak in the General Debate
(codes from the speech files of ../shared/data/ungd), with the names the UN uses
(speakers_by_session.csv), the ISO 3166 names (pycountry), the common names and the demonyms
("Russian", "North Korean") written out below;
then the organisations, written out below, and the places and people whose names are spelled several
ways; then, for every state and for the UN and the EU, their
names in the other five UN languages (French, Spanish, Russian, Arabic, Chinese), generated from
two well-kept sources of localised names: the Unicode CLDR (through babel: the short name, as
"Россия", "Russie", "Rusia", "روسيا", "俄罗斯") and Debian's iso-codes translations of the ISO 3166
names (shipped with pycountry: "Российская Федерация"). Russian names also get their case forms
("России", "Российской Федерации"), inflected with pymorphy3 (the OpenCorpora dictionary), and
Arabic names their form with the conjunction و attached ("وروسيا", "and Russia"). The six-language names of the other main
organisations (Security Council, General Assembly, NATO, African Union…) are written out by hand
in ORG_NAMES below: neither source has them.

Rerun (from the repository root, with ../shared beside it):

    pip install 'babel==2.19.0' 'pycountry==26.2.16' 'pymorphy3==2.0.6'
    python3 data/make_aliases.py ../shared > data/aliases.tsv

The TSV is what communique reads (compiled in); this script records where it came from.
"""
import csv
import gettext
import os
import re
import sys
import unicodedata

import pycountry
import pymorphy3
from babel import Locale

shared = sys.argv[1] if len(sys.argv) > 1 else "../shared"
speeches = os.path.join(shared, "data/ungd/speeches")
codes = sorted({f.split("_")[0] for y in os.listdir(speeches) for f in os.listdir(os.path.join(speeches, y))})

un_names = {}
with open(os.path.join(shared, "data/ungd/speakers_by_session.csv"), newline="") as f:
    for row in csv.DictReader(f):
        if int(row["Year"]) >= 2010:
            un_names.setdefault(row["ISO Code"].strip(), set()).add(" ".join(row["Country"].split()))

# Common names, short forms and capitals (capitals are weak: they often stand for the
# government, not always). Codes are matched only when written in capitals.
extra = {
    "USA": (["United States", "United States of America", "U.S.", "U.S.A."], ["US", "USA"], ["Washington", "America"]),
    "GBR": (["United Kingdom", "UK", "U.K.", "Britain", "Great Britain", "United Kingdom of Great Britain and Northern Ireland"], ["GB", "GBR", "UK"], ["London"]),
    "RUS": (["Russia", "Russian Federation"], ["RU", "RUS"], ["Moscow", "Kremlin"]),
    "PRK": (["North Korea", "DPRK", "D.P.R.K.", "Democratic People's Republic of Korea", "N. Korea"], ["KP", "PRK", "DPRK"], ["Pyongyang"]),
    "KOR": (["South Korea", "Republic of Korea", "ROK", "S. Korea", "Korea, Republic of"], ["KR", "KOR", "ROK"], ["Seoul"]),
    "CHN": (["China", "People's Republic of China", "PRC"], ["CN", "CHN", "PRC"], ["Beijing"]),
    "UKR": (["Ukraine"], ["UA", "UKR"], ["Kyiv"]),
    "IRN": (["Iran", "Islamic Republic of Iran", "Iran (Islamic Republic of)"], ["IR", "IRN"], ["Tehran"]),
    "SYR": (["Syria", "Syrian Arab Republic"], ["SY", "SYR"], ["Damascus"]),
    "TUR": (["Türkiye", "Turkiye", "Turkey", "Republic of Türkiye"], ["TR", "TUR"], ["Ankara"]),
    "CIV": (["Côte d'Ivoire", "Cote d'Ivoire", "Ivory Coast"], ["CI", "CIV"], []),
    "CPV": (["Cabo Verde", "Cape Verde"], ["CV", "CPV"], []),
    "SWZ": (["Eswatini", "Swaziland"], ["SZ", "SWZ"], []),
    "MMR": (["Myanmar", "Burma"], ["MM", "MMR"], []),
    "CZE": (["Czechia", "Czech Republic"], ["CZ", "CZE"], []),
    "MKD": (["North Macedonia", "Macedonia"], ["MK", "MKD"], []),
    "COD": (["Democratic Republic of the Congo", "DRC", "DR Congo", "Congo-Kinshasa"], ["CD", "COD", "DRC"], ["Kinshasa"]),
    "COG": (["Republic of the Congo", "Congo-Brazzaville"], ["CG", "COG"], ["Brazzaville"]),
    "LAO": (["Laos", "Lao People's Democratic Republic", "Lao PDR"], ["LA", "LAO"], []),
    "VNM": (["Vietnam", "Viet Nam"], ["VN", "VNM"], ["Hanoi"]),
    "BOL": (["Bolivia", "Plurinational State of Bolivia"], ["BO", "BOL"], []),
    "VEN": (["Venezuela", "Bolivarian Republic of Venezuela"], ["VE", "VEN"], ["Caracas"]),
    "TZA": (["Tanzania", "United Republic of Tanzania"], ["TZ", "TZA"], []),
    "MDA": (["Moldova", "Republic of Moldova"], ["MD", "MDA"], []),
    "FSM": (["Micronesia", "Federated States of Micronesia"], ["FM", "FSM"], []),
    "ARE": (["United Arab Emirates", "UAE", "U.A.E."], ["AE", "ARE", "UAE"], ["Abu Dhabi"]),
    "SAU": (["Saudi Arabia", "Kingdom of Saudi Arabia"], ["SA", "SAU", "KSA"], ["Riyadh"]),
    "ISR": (["Israel"], ["IL", "ISR"], ["Jerusalem"]),
    "PSE": (["Palestine", "State of Palestine", "Palestinian Authority"], ["PS", "PSE"], ["Ramallah"]),
    "VAT": (["Holy See", "Vatican"], ["VA", "VAT"], []),
    "JPN": (["Japan"], ["JP", "JPN"], ["Tokyo"]),
    "DEU": (["Germany", "Federal Republic of Germany"], ["DE", "DEU"], ["Berlin"]),
    "FRA": (["France", "French Republic"], ["FR", "FRA"], ["Paris"]),
    "ITA": (["Italy"], ["IT", "ITA"], ["Rome"]),
    "CAN": (["Canada"], ["CA", "CAN"], ["Ottawa"]),
    "AUS": (["Australia"], ["AU", "AUS"], ["Canberra"]),
    "NZL": (["New Zealand"], ["NZ", "NZL"], ["Wellington"]),
    "IND": (["India"], ["IN", "IND"], ["New Delhi"]),
    "PAK": (["Pakistan"], ["PK", "PAK"], ["Islamabad"]),
    "AFG": (["Afghanistan"], ["AF", "AFG"], ["Kabul"]),
    "BLR": (["Belarus"], ["BY", "BLR"], ["Minsk"]),
    "GMB": (["Gambia", "The Gambia"], ["GM", "GMB"], []),
    "BHS": (["Bahamas", "The Bahamas"], ["BS", "BHS"], []),
    "NLD": (["Netherlands", "Kingdom of the Netherlands", "Holland"], ["NL", "NLD"], ["The Hague"]),
    "EU": (["European Union", "EU", "E.U.", "European bloc"], ["EU"], ["Brussels"]),
}
# Two-letter ISO codes that are also common English words or abbreviations are not used as
# codes (they would match "IT", "NO", "IS"…): the three-letter codes stay.
unsafe_codes = {"AU", "IN", "IS", "IT", "NO", "ME", "AS", "AT", "BE", "TO", "SO", "AM", "AN", "BY", "DO", "GO", "HE", "HI", "IF", "MY", "OR", "ON", "UP", "WE", "PE", "PA", "LA", "MA", "CA", "AL", "ID", "OK", "PR", "SA", "TV", "AI", "MS", "MD", "NE", "CO", "DE", "KP", "VA", "CD", "PS", "ST", "SC", "SE", "SI", "SR", "NA", "MO", "MH", "LT", "LY", "FM", "GM", "BO"}

# Demonyms and adjectives ("Venezuelan migrants", "North Korean troops"), written out by hand:
# neither CLDR nor ISO 3166 has them. They are names of the country (a query for the country
# finds them, a query for them finds the country, and they count as mentions in the country
# facets). Left out on purpose: adjectives shared by several states ("Korean", "Congolese",
# "Dominican", "Guinean" alone is kept for Guinea), and those of regions or former states that
# are not one of them ("European", "Soviet", "African", "Arab", "Latin American").
DEMONYMS = {
    "AFG": ["Afghan"], "ALB": ["Albanian"], "DZA": ["Algerian"], "AND": ["Andorran"],
    "AGO": ["Angolan"], "ARG": ["Argentine", "Argentinian"], "ARM": ["Armenian"],
    "AUS": ["Australian"], "AUT": ["Austrian"], "AZE": ["Azerbaijani"], "BHS": ["Bahamian"],
    "BHR": ["Bahraini"], "BGD": ["Bangladeshi"], "BRB": ["Barbadian"], "BLR": ["Belarusian"],
    "BEL": ["Belgian"], "BLZ": ["Belizean"], "BEN": ["Beninese"], "BTN": ["Bhutanese"],
    "BOL": ["Bolivian"], "BIH": ["Bosnian"], "BWA": ["Botswanan"], "BRA": ["Brazilian"],
    "BRN": ["Bruneian"], "BGR": ["Bulgarian"], "BFA": ["Burkinabe", "Burkinabè"],
    "BDI": ["Burundian"], "CPV": ["Cabo Verdean", "Cape Verdean"], "KHM": ["Cambodian"],
    "CMR": ["Cameroonian"], "CAN": ["Canadian"], "CAF": ["Central African"], "TCD": ["Chadian"],
    "CHL": ["Chilean"], "CHN": ["Chinese"], "COL": ["Colombian"], "COM": ["Comorian"],
    "CRI": ["Costa Rican"], "CIV": ["Ivorian"], "HRV": ["Croatian"], "CUB": ["Cuban"],
    "CYP": ["Cypriot"], "CZE": ["Czech"], "DNK": ["Danish"], "DJI": ["Djiboutian"],
    "ECU": ["Ecuadorian"], "EGY": ["Egyptian"], "SLV": ["Salvadoran", "Salvadorian"],
    "GNQ": ["Equatorial Guinean"], "ERI": ["Eritrean"], "EST": ["Estonian"], "SWZ": ["Swazi"],
    "ETH": ["Ethiopian"], "FJI": ["Fijian"], "FIN": ["Finnish"], "FRA": ["French"],
    "GAB": ["Gabonese"], "GMB": ["Gambian"], "GEO": ["Georgian"], "DEU": ["German"],
    "GHA": ["Ghanaian"], "GRC": ["Greek"], "GRD": ["Grenadian"], "GTM": ["Guatemalan"],
    "GIN": ["Guinean"], "GNB": ["Bissau-Guinean"], "GUY": ["Guyanese"], "HTI": ["Haitian"],
    "HND": ["Honduran"], "HUN": ["Hungarian"], "ISL": ["Icelandic"], "IND": ["Indian"],
    "IDN": ["Indonesian"], "IRN": ["Iranian"], "IRQ": ["Iraqi"], "IRL": ["Irish"],
    "ISR": ["Israeli"], "ITA": ["Italian"], "JAM": ["Jamaican"], "JPN": ["Japanese"],
    "JOR": ["Jordanian"], "KAZ": ["Kazakh", "Kazakhstani"], "KEN": ["Kenyan"], "KWT": ["Kuwaiti"],
    "KGZ": ["Kyrgyz"], "LAO": ["Lao", "Laotian"], "LVA": ["Latvian"], "LBN": ["Lebanese"],
    "LSO": ["Basotho"], "LBR": ["Liberian"], "LBY": ["Libyan"], "LTU": ["Lithuanian"],
    "LUX": ["Luxembourgish"], "MDG": ["Malagasy"], "MWI": ["Malawian"], "MYS": ["Malaysian"],
    "MDV": ["Maldivian"], "MLI": ["Malian"], "MLT": ["Maltese"], "MRT": ["Mauritanian"],
    "MUS": ["Mauritian"], "MEX": ["Mexican"], "MDA": ["Moldovan"], "MCO": ["Monegasque"],
    "MNG": ["Mongolian"], "MNE": ["Montenegrin"], "MAR": ["Moroccan"], "MOZ": ["Mozambican"],
    "MMR": ["Burmese"], "NAM": ["Namibian"], "NPL": ["Nepali", "Nepalese"], "NLD": ["Dutch"],
    "NZL": ["New Zealander"], "NIC": ["Nicaraguan"], "NER": ["Nigerien"], "NGA": ["Nigerian"],
    "PRK": ["North Korean"], "MKD": ["North Macedonian", "Macedonian"], "NOR": ["Norwegian"],
    "OMN": ["Omani"], "PAK": ["Pakistani"], "PSE": ["Palestinian"], "PAN": ["Panamanian"],
    "PNG": ["Papua New Guinean"], "PRY": ["Paraguayan"], "PER": ["Peruvian"],
    "PHL": ["Philippine", "Filipino"], "POL": ["Polish"], "PRT": ["Portuguese"], "QAT": ["Qatari"],
    "ROU": ["Romanian"], "RUS": ["Russian"], "RWA": ["Rwandan"], "WSM": ["Samoan"],
    "SMR": ["Sammarinese"], "SAU": ["Saudi"], "SEN": ["Senegalese"], "SRB": ["Serbian"],
    "SYC": ["Seychellois"], "SLE": ["Sierra Leonean"], "SGP": ["Singaporean"], "SVK": ["Slovak"],
    "SVN": ["Slovenian", "Slovene"], "SOM": ["Somali"], "ZAF": ["South African"],
    "KOR": ["South Korean"], "SSD": ["South Sudanese"], "ESP": ["Spanish"], "LKA": ["Sri Lankan"],
    "SDN": ["Sudanese"], "SUR": ["Surinamese"], "SWE": ["Swedish"], "CHE": ["Swiss"],
    "SYR": ["Syrian"], "TJK": ["Tajik"], "TZA": ["Tanzanian"], "THA": ["Thai"],
    "TLS": ["Timorese"], "TGO": ["Togolese"], "TON": ["Tongan"], "TTO": ["Trinidadian"],
    "TUN": ["Tunisian"], "TUR": ["Turkish"], "TKM": ["Turkmen"], "UGA": ["Ugandan"],
    "UKR": ["Ukrainian"], "ARE": ["Emirati"], "GBR": ["British"], "USA": ["American"],
    "URY": ["Uruguayan"], "UZB": ["Uzbek"], "VEN": ["Venezuelan"], "VNM": ["Vietnamese"],
    "YEM": ["Yemeni"], "ZMB": ["Zambian"], "ZWE": ["Zimbabwean"],
}


# The other five UN languages. Chinese is the simplified script the UN uses.
LANGUAGES = [("fr", "fr"), ("es", "es"), ("ru", "ru"), ("ar", "ar"), ("zh", "zh_CN")]
CLDR = {lang: Locale.parse(lang).territories for lang, _ in LANGUAGES}
ISO_CODES = {
    lang: gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=[po])
    for lang, po in LANGUAGES
}

# Localised names that are also an everyday word or a given name in the statements' languages:
# they would make a country of "grenade", "chili" or "Maurice". Left out.
AMBIGUOUS = {
    "Grenade", "Granada", "Chili", "Maurice", "Mauricio", "Dominique", "Salvador",
    "Того",  # Togo, and the Russian word "того" (of that)
    "مالي",  # Mali, and the Arabic word for "financial"
    "عمان",  # Oman, spelled as Amman, the capital of Jordan
}

# Arabic short vowels and other marks (tashkeel) and the tatweel: names are written without them.
ARABIC_MARKS = dict.fromkeys([*range(0x064B, 0x0660), 0x0670, 0x0640])
# Arabic hamza forms of alef, and the Russian letter ё, are often written plainly (ا, е): the
# table has both spellings, so a name matches either way whatever the analysis does with them.
ARABIC_ALEF = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا"})


def clean(name):
    """A localised name as it is written in running text."""
    name = unicodedata.normalize("NFC", name).translate(ARABIC_MARKS)
    name = name.replace("\u0301", "")  # Russian stress marks (Респу́блика)
    return " ".join(name.split())


def spellings(name):
    """The name, its case forms (Russian) or its form with و (Arabic), and their plain spellings
    (ё as е, أ/إ/آ as ا)."""
    forms = [name]
    if re.match(r"[А-Яа-яЁё]", name):
        forms += russian_cases(name)
    elif re.match(r"[\u0600-\u06FF]", name):
        forms = arabic_forms(name)
    out = []
    for form in forms:
        for variant in (form, form.replace("ё", "е").replace("Ё", "Е"), form.translate(ARABIC_ALEF)):
            add(out, variant)
    return out


MORPH = pymorphy3.MorphAnalyzer()
CASES = ["gent", "datv", "accs", "ablt", "loct"]


def russian_cases(name):
    """The other case forms of a Russian name: the words up to its first noun agree with it and
    are inflected ("Российская Федерация" -> "Российской Федерации"), the rest is a complement
    and stays ("Организация Объединённых Наций" -> "Организации Объединённых Наций").
    Abbreviations (КНДР) do not decline. An accusative that is the nominative (inanimate
    masculine and plural nouns) is left to the nominative."""
    words = name.split(" ")
    if not all(re.fullmatch(r"[А-Яа-яЁё]+", w) for w in words):
        return []
    # A name is in the nominative: take each word's reading as one.
    parses = [next((p for p in MORPH.parse(w) if "nomn" in p.tag), MORPH.parse(w)[0]) for w in words]
    head = next((i for i, p in enumerate(parses) if "NOUN" in p.tag), None)
    if head is None or any(w.isupper() and len(w) > 1 for w in words[: head + 1]):
        return []
    out = []
    for case in CASES:
        inflected = inflect(parses[head], case)
        if inflected is None or (case == "accs" and inflected.word == parses[head].word):
            continue
        new = []
        for i, (word, parse) in enumerate(zip(words, parses)):
            if i <= head:
                form = inflect(parse, case)
                if form is None:
                    break
                new.append(form.word.capitalize() if word[0].isupper() else form.word)
            else:
                new.append(word)
        else:
            out.append(" ".join(new))
    return out


def inflect(parse, case):
    """A word in another case, in the same number."""
    grammemes = {case} | ({parse.tag.number} if parse.tag.number else set())
    return parse.inflect(grammemes)


def arabic_forms(name):
    """An Arabic name and its form with the conjunction و ("and") written onto it."""
    return [name, "و" + name]


def add(names, name):
    """Adds a name unless the list has it already in any case (names match case-insensitively)."""
    if name.casefold() not in (n.casefold() for n in names):
        names.append(name)


def localised(alpha2, english_names=()):
    """The names of a territory in the five other UN languages: the CLDR name, then the iso-codes
    translations of the ISO name and official name. Inverted ISO forms ("Corée, République de")
    are left out: nobody writes them in a sentence."""
    country = pycountry.countries.get(alpha_2=alpha2)
    out = []
    for lang, _ in LANGUAGES:
        found = [CLDR[lang].get(alpha2)]
        if country is not None:
            translate = ISO_CODES[lang].gettext
            found += [translate(country.name)]
            official = getattr(country, "official_name", None)
            if official:
                found.append(translate(official))
        for name in found:
            if not name or "," in name:
                continue
            name = clean(name)
            if name in AMBIGUOUS or name in english_names:
                continue
            for spelling in spellings(name):
                add(out, spelling)
    return out


# The main organisations in the five other UN languages, written out by hand (CLDR and iso-codes
# name only the UN and the EU, which are generated above): the names these bodies use in their
# own six-language documents and the UN terminology database (UNTERM), checked against them.
# Codes (ONU, ООН, OTAN, НАТО…) match only in capitals, as in English.
ORG_NAMES = {
    "UN": (["Organisation des Nations Unies", "Organización de las Naciones Unidas",
            "Организация Объединённых Наций", "Объединённые Нации", "هيئة الأمم المتحدة"],
           ["ONU", "ООН"]),
    "UNSC": (["Conseil de sécurité", "Conseil de sécurité des Nations Unies",
              "Consejo de Seguridad", "Consejo de Seguridad de las Naciones Unidas",
              "Совет Безопасности", "Совет Безопасности ООН", "Совет Безопасности Организации Объединённых Наций",
              "مجلس الأمن", "مجلس الأمن الدولي", "مجلس الأمن التابع للأمم المتحدة",
              "安全理事会", "联合国安全理事会", "安理会", "联合国安理会"], []),
    "UNGA": (["Assemblée générale", "Assemblée générale des Nations Unies",
              "Asamblea General", "Asamblea General de las Naciones Unidas",
              "Генеральная Ассамблея", "Генеральная Ассамблея ООН",
              "Генеральная Ассамблея Организации Объединённых Наций",
              "الجمعية العامة", "الجمعية العامة للأمم المتحدة",
              "联合国大会", "联大"], []),
    "UNHRC": (["Conseil des droits de l'homme", "Consejo de Derechos Humanos",
               "Совет по правам человека", "مجلس حقوق الإنسان", "人权理事会"], []),
    "WHO": (["Organisation mondiale de la Santé", "Organización Mundial de la Salud",
             "Всемирная организация здравоохранения", "منظمة الصحة العالمية",
             "世界卫生组织", "世卫组织"], ["OMS", "ВОЗ"]),
    "IAEA": (["Agence internationale de l'énergie atomique", "Organismo Internacional de Energía Atómica",
              "Международное агентство по атомной энергии", "الوكالة الدولية للطاقة الذرية",
              "国际原子能机构"], ["AIEA", "OIEA", "МАГАТЭ"]),
    "ICJ": (["Cour internationale de Justice", "Corte Internacional de Justicia", "Международный Суд",
             "محكمة العدل الدولية", "国际法院"], ["CIJ"]),
    "ICC": (["Cour pénale internationale", "Corte Penal Internacional", "Международный уголовный суд",
             "المحكمة الجنائية الدولية", "国际刑事法院"], ["CPI", "МУС"]),
    "NATO": (["Organisation du traité de l'Atlantique nord", "Organización del Tratado del Atlántico Norte",
              "Организация Североатлантического договора", "Североатлантический альянс",
              "حلف شمال الأطلسي", "منظمة حلف شمال الأطلسي", "الناتو",
              "北大西洋公约组织", "北约"], ["OTAN", "НАТО"]),
    "AU": (["Union africaine", "Unión Africana", "Африканский союз", "الاتحاد الأفريقي", "非洲联盟", "非盟"], ["UA"]),
    "EU": (["Евросоюз", "欧洲联盟"], ["UE", "ЕС"]),
}


def org_names(code):
    names, codes_ = ORG_NAMES.get(code, ([], []))
    out = []
    for name in names:
        for spelling in spellings(clean(name)):
            add(out, spelling)
    return out, codes_

print("# communique alias table: id, kind, names, codes, weak names (tab-separated; lists |-separated).")
print("# Names match whole words, case-insensitively (a name of several words as a phrase); codes")
print("# match only in capitals; weak names (capitals, metonyms) count at half weight.")
print("# Generated by data/make_aliases.py from ../shared/data/ungd, pycountry (ISO 3166 and its")
print("# iso-codes translations) and babel (CLDR names in the six UN languages), plus the hand-written")
print("# lists in that script; edit the script and regenerate rather than this file.")
for code in codes:
    names, iso_codes, weak = [], [], []
    if code in extra:
        names, iso_codes, weak = (list(x) for x in extra[code])
    country = pycountry.countries.get(alpha_3=code)
    if country is not None:
        for attr in ("common_name", "name", "official_name"):
            value = getattr(country, attr, None)
            if value and value not in names:
                names.append(value)
        for c in (country.alpha_3, country.alpha_2):
            if c not in iso_codes and c not in unsafe_codes:
                iso_codes.append(c)
    iso_codes = [c for c in iso_codes if c not in unsafe_codes]
    for name in sorted(un_names.get(code, ())):
        if name not in names:
            names.append(name)
    for name in DEMONYMS.get(code, ()):
        add(names, name)
    alpha2 = country.alpha_2 if country is not None else ("EU" if code == "EU" else None)
    if alpha2 and names:
        for name in localised(alpha2, names):
            add(names, name)
    more_names, more_codes = org_names(code)
    for name in more_names:
        add(names, name)
    iso_codes += [c for c in more_codes if c not in iso_codes]
    if code == "EU":
        kind = "org"
    else:
        kind = "country"
    if not names:
        continue
    print("\t".join([code, kind, "|".join(names), "|".join(iso_codes), "|".join(weak)]))

orgs = [
    ("UN", ["United Nations", "U.N.", "UN", "United Nations Organization"], ["UN"], []),
    ("UNSC", ["UN Security Council", "U.N. Security Council", "United Nations Security Council", "Security Council", "UNSC"], ["UNSC"], []),
    ("UNGA", ["UN General Assembly", "U.N. General Assembly", "United Nations General Assembly", "General Assembly", "UNGA"], ["UNGA"], []),
    ("UNHRC", ["Human Rights Council", "UN Human Rights Council", "UNHRC"], ["UNHRC"], []),
    ("UNHCR", ["UNHCR", "UN Refugee Agency", "Office of the United Nations High Commissioner for Refugees", "High Commissioner for Refugees"], ["UNHCR"], []),
    ("UNICEF", ["UNICEF", "United Nations Children's Fund"], ["UNICEF"], []),
    ("WFP", ["World Food Programme", "World Food Program", "WFP"], ["WFP"], []),
    ("WHO", ["World Health Organization", "World Health Organisation"], ["WHO"], []),
    ("IAEA", ["International Atomic Energy Agency", "IAEA"], ["IAEA"], []),
    ("ICJ", ["International Court of Justice", "ICJ", "World Court"], ["ICJ"], []),
    ("ICC", ["International Criminal Court", "ICC"], ["ICC"], []),
    ("UNESCO", ["UNESCO", "United Nations Educational, Scientific and Cultural Organization"], ["UNESCO"], []),
    ("UNDP", ["UNDP", "United Nations Development Programme"], ["UNDP"], []),
    ("OCHA", ["OCHA", "Office for the Coordination of Humanitarian Affairs"], ["OCHA"], []),
    ("UNRWA", ["UNRWA", "United Nations Relief and Works Agency"], ["UNRWA"], []),
    ("WTO", ["World Trade Organization", "WTO"], ["WTO"], []),
    ("IMF", ["International Monetary Fund", "IMF"], ["IMF"], []),
    ("WB", ["World Bank"], [], []),
    ("NATO", ["NATO", "North Atlantic Treaty Organization", "Atlantic Alliance", "North Atlantic Alliance"], ["NATO"], ["the Alliance"]),
    ("G7", ["G7", "G-7", "Group of Seven"], ["G7"], []),
    ("G20", ["G20", "G-20", "Group of Twenty"], ["G20"], []),
    ("ASEAN", ["ASEAN", "Association of Southeast Asian Nations"], ["ASEAN"], []),
    ("AU", ["African Union"], ["AU"], []),
    ("OSCE", ["OSCE", "Organization for Security and Co-operation in Europe", "Organization for Security and Cooperation in Europe"], ["OSCE"], []),
    ("OAS", ["Organization of American States", "OAS"], ["OAS"], []),
    ("ECOWAS", ["ECOWAS", "Economic Community of West African States"], ["ECOWAS"], []),
    ("GCC", ["Gulf Cooperation Council", "GCC"], ["GCC"], []),
    ("OIC", ["Organisation of Islamic Cooperation", "Organization of Islamic Cooperation", "OIC"], ["OIC"], []),
    ("CoE", ["Council of Europe"], [], []),
    ("EC", ["European Commission"], [], []),
    ("QUAD", ["Quad", "Quadrilateral Security Dialogue"], ["QUAD"], []),
    ("BRICS", ["BRICS"], ["BRICS"], []),
    ("SCO", ["Shanghai Cooperation Organisation", "Shanghai Cooperation Organization"], ["SCO"], []),
    ("AUKUS", ["AUKUS"], ["AUKUS"], []),
    ("OPCW", ["OPCW", "Organisation for the Prohibition of Chemical Weapons", "Organization for the Prohibition of Chemical Weapons"], ["OPCW"], []),
    ("CTBTO", ["CTBTO", "Comprehensive Nuclear-Test-Ban Treaty Organization"], ["CTBTO"], []),
    ("IOM", ["International Organization for Migration", "IOM"], ["IOM"], []),
    ("ILO", ["International Labour Organization", "ILO"], ["ILO"], []),
    ("FAO", ["Food and Agriculture Organization", "FAO"], ["FAO"], []),
    ("OECD", ["OECD", "Organisation for Economic Co-operation and Development"], ["OECD"], []),
    ("CARICOM", ["CARICOM", "Caribbean Community"], ["CARICOM"], []),
    ("SADC", ["SADC", "Southern African Development Community"], ["SADC"], []),
    ("IGAD", ["IGAD", "Intergovernmental Authority on Development"], ["IGAD"], []),
    ("PIF", ["Pacific Islands Forum"], ["PIF"], []),
    ("CELAC", ["CELAC", "Community of Latin American and Caribbean States"], ["CELAC"], []),
    ("MERCOSUR", ["Mercosur", "MERCOSUR"], ["MERCOSUR"], []),
    ("ARAB-LEAGUE", ["Arab League", "League of Arab States"], [], []),
    ("CSTO", ["CSTO", "Collective Security Treaty Organization"], ["CSTO"], []),
]
for code, names, codes_, weak in orgs:
    names, codes_ = list(names), list(codes_)
    if code == "UN":
        for name in localised("UN", names):
            add(names, name)
    more_names, more_codes = org_names(code)
    for name in more_names:
        add(names, name)
    codes_ += [c for c in more_codes if c not in codes_]
    print("\t".join([code, "org", "|".join(names), "|".join(codes_), "|".join(weak)]))

# Places whose names are spelled several ways (equivalent names, not entities).
places = [
    ("KYIV", ["Kyiv", "Kiev", "Kyïv"]),
    ("ODESA", ["Odesa", "Odessa"]),
    ("KHARKIV", ["Kharkiv", "Kharkov"]),
    ("ZAPORIZHZHIA", ["Zaporizhzhia", "Zaporizhzhya", "Zaporozhye"]),
    ("DONBAS", ["Donbas", "Donbass"]),
    ("BEIJING", ["Beijing", "Peking"]),
    ("MUMBAI", ["Mumbai", "Bombay"]),
    ("YANGON", ["Yangon", "Rangoon"]),
]
for code, names in places:
    print("\t".join([code, "place", "|".join(names), "", ""]))

# People whose names are transliterated several ways: equivalent names (kind "place": no facet).
people = [
    ("ZELENSKYY", ["Zelenskyy", "Zelensky", "Zelenskiy", "Zelenskyi"]),
    ("GADDAFI", ["Gaddafi", "Qaddafi", "Kadhafi", "Gadhafi", "Qadhafi"]),
    ("LUKASHENKO", ["Lukashenko", "Lukashenka"]),
    ("NAVALNY", ["Navalny", "Navalnyy"]),
]
for code, names in people:
    print("\t".join([code, "place", "|".join(names), "", ""]))

# Armed groups whose names are transliterated or abbreviated several ways (equivalent names, no
# facet: they are not states or intergovernmental organisations). The State Department writes
# "Hizballah" and "ISIS", UN speakers "Hezbollah" and "Da'esh" or "ISIL".
groups = [
    ("HEZBOLLAH", ["Hezbollah", "Hizballah", "Hizbollah", "Hizbullah", "Hezbullah"]),
    ("ISIL", ["ISIL", "ISIS", "Daesh", "Da'esh", "Islamic State of Iraq and the Levant", "Islamic State of Iraq and Syria"]),
    ("AL-QAIDA", ["al-Qaida", "al-Qaeda", "Al Qaeda", "al-Qa'ida", "Al Qaida"]),
]
for code, names in groups:
    print("\t".join([code, "place", "|".join(names), "", ""]))
