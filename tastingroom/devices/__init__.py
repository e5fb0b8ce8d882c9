"""Receipt printer, cash drawer: bytes built here, sent in one write."""
