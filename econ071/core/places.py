"""Place codes the code itself relies on, defined once (the places themselves, their names
and members, are data: data/places.csv and data/place_members.csv).

CBS codes: ``NL01`` Nederland, ``PV28`` the province Zuid-Holland, ``CR25`` the COROP area
Agglomeratie Leiden en Bollenstreek, ``AM19`` the labour-market region Holland Rijnland;
``X_071`` is our own composed place, the 071 area (the six municipalities together)."""

NATIONAL = "NL01"
REGION_071 = "X_071"
PROVINCE = "PV28"
COROP = "CR25"
LABOUR_MARKET_REGION = "AM19"

# The six municipalities of the 071 area: Katwijk, Leiden, Leiderdorp, Oegstgeest,
# Voorschoten, Zoeterwoude.
MUNICIPALITIES = ("GM0537", "GM0546", "GM0547", "GM0579", "GM0626", "GM0638")
# The levels the 071 area is compared with.
COMPARISON = (NATIONAL, PROVINCE, COROP, LABOUR_MARKET_REGION)
