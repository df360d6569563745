"""Words the dataset generator draws names from (with non-ASCII and HTML specials on purpose)."""

from __future__ import annotations

# (SKU prefix, noun, option scheme). Option schemes: "size", "colour", "size_colour", "none",
# "shoe" (numeric sizes). The generator mixes schemes across kinds so every scheme is common.
PRODUCT_KINDS: tuple[tuple[str, str, str], ...] = (
    ("TEE", "T-Shirt", "size_colour"),
    ("HOOD", "Hoodie", "size_colour"),
    ("SOCK", "Socks", "size"),
    ("CAP", "Cap", "colour"),
    ("MUG", "Mug", "colour"),
    ("BOOT", "Boots", "shoe"),
    ("SNKR", "Sneakers", "shoe"),
    ("TOTE", "Tote Bag", "colour"),
    ("JACK", "Jacket", "size_colour"),
    ("SCRF", "Scarf", "colour"),
    ("KNIF", "Chef's Knife", "none"),
    ("PAN", "Frying Pan", "size"),
    ("TEA", "Tea Blend", "none"),
    ("BEAN", "Coffee Beans", "none"),
    ("LAMP", "Desk Lamp", "colour"),
    ("BOOK", "Notebook", "none"),
    ("GLOV", "Gloves", "size"),
    ("APRN", "Apron", "colour"),
)

ADJECTIVES: tuple[str, ...] = (
    "Classic",
    "Organic",
    "Vintage",
    "Nordic",
    "Everyday",
    "Heritage",
    "Alpine",
    "Coastal",
    "Urban",
    "Rustic",
    "Señorita",
    "Crème",
    "Ærø",
    "Zürich",
    "Smörgås",
    "Première",
    "Kōbe",
    "Midnight",
    "Sunrise",
    "Highland",
)

MATERIALS: tuple[str, ...] = (
    "Cotton",
    "Linen",
    "Merino",
    "Canvas",
    "Leather",
    "Ceramic",
    "Bamboo",
    "Walnut",
    "Enamel",
    "Tweed",
    "Cashmere",
    "Stoneware",
)

# Exact names the brief asks for, plus a few more specials (quotes, ampersands, angle brackets).
SPECIAL_NAMES: tuple[str, ...] = (
    "Café crème <small>",
    "O'Brien & Sons Tweed Cap",
    'Jalapeño "Hot" Sauce Gift Set',
    "Crème brûlée Torch <b>Pro</b>",
    "Smørrebrød Board & Knife",
)

SIZES: tuple[str, ...] = ("XS", "S", "M", "L", "XL", "XXL")
SHOE_SIZES: tuple[str, ...] = ("38", "39", "40", "41", "42", "43", "44", "45")
COLOURS: tuple[str, ...] = (
    "Black",
    "White",
    "Navy",
    "Red",
    "Forest Green",
    "Oatmeal",
    "Crème",
    "Rosé",
)

FIRST_NAMES: tuple[str, ...] = (
    "José",
    "Zoë",
    "François",
    "Søren",
    "Chloé",
    "Björn",
    "Ana",
    "Liam",
    "Olivia",
    "Noah",
    "Emma",
    "Mateo",
    "Amélie",
    "Seán",
    "Priya",
    "Kenji",
    "Fatima",
    "Łukasz",
    "Ines",
    "Grace",
    "Tomás",
    "Nora",
    "Yusuf",
    "Mia",
)

LAST_NAMES: tuple[str, ...] = (
    "Müller",
    "O'Brien",
    "García",
    "Nguyễn",
    "Smith",
    "Johansson",
    "Dubois",
    "Kowalski",
    "Rossi",
    "Tanaka",
    "Okafor",
    "Fernández",
    "Brown",
    "D'Angelo",
    "Schröder",
    "Walsh",
    "Patel",
    "Lindqvist",
    "Moreau",
    "Novák",
)

COMPANIES: tuple[str, ...] = ("", "", "", "", "O'Brien & Sons", "Café <Crème> Ltd", "Acme & Co")

CITIES: tuple[tuple[str, str, str], ...] = (
    ("Austin", "Texas", "78751"),
    ("Portland", "Oregon", "97205"),
    ("Boston", "Massachusetts", "02108"),
    ("Denver", "Colorado", "80202"),
    ("Chicago", "Illinois", "60601"),
    ("Seattle", "Washington", "98101"),
)

STREETS: tuple[str, ...] = (
    "Main Street",
    "Oak Avenue",
    "Elm Road",
    "Rue de la Paix",
    "Königsallee",
)

SUPPLIERS: tuple[tuple[str, str, str, int], ...] = (
    # (id, name, email, default lead time in days)
    ("nordstrom-textil", "Nordström Textil AB", "orders@nordstrom-textil.example", 21),
    ("obrien-sons", "O'Brien & Sons Ltd", "sales@obrien-sons.example", 14),
    ("rosterei-muller", "Kaffee Rösterei Müller", "bestellung@roesterei.example", 10),
    ("acme-supply", "Acme Supply Co. <Wholesale>", "wholesale@acme.example", 30),
)
