"""The register's first start: the two doors ("Try the demo winery", "Set up my winery"),
the set-up assistant, the first sync's banner on the new store's lock screen, and the
launcher that decides which of them, the store or its training store, a start opens.

Every step calls the engine (`tastingroom.store_setup`), the same calls the command
line's `init` and `staff add` make; nothing here decides a rule of its own.
"""
