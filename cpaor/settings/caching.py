"""Public pages for anonymous readers: compressed, cached whole and revalidated.

cpaor/pagecache.py keeps each anonymous page in the shared cache (Redis) until the
content it shows changes (common/pagecache.py moves the version) or PAGE_CACHE_SECONDS
pass, whichever comes first; browsers, the proxy and a CDN may keep it PAGE_MAX_AGE
seconds and serve it stale for PAGE_STALE_SECONDS more while they ask again.
"""

from .environment import env

# 0 turns the page cache off (the pages are then rendered for every request).
# Pages also show what time alone changes (a membership lapsing, "sent 3 days ago"):
# an hour bounds how late that can be.
PAGE_CACHE_SECONDS = int(env("PAGE_CACHE_SECONDS", "3600"))
PAGE_MAX_AGE = int(env("PAGE_MAX_AGE", "60"))
PAGE_STALE_SECONDS = int(env("PAGE_STALE_SECONDS", "300"))
