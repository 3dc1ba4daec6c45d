"""Stage 5: the printed playbook, typeset with WeasyPrint.

``html`` renders the print HTML from the pages; ``tables`` measures its tables; ``weasy``
typesets it with WeasyPrint's public API; ``parts`` typesets it in parts on several cores and
joins them; ``process`` runs that beside the site; ``internals`` holds every use of
WeasyPrint's and pydyf's private internals, checked against the versions it knows.
"""
