"""Open data of the competitions (issue 10 item 9): calls and lots as CSV and JSON with the public list's
filters, a call's lots with the number of submitted applications (counts only, never who applied), and
each announced call as an Open Contracting Data Standard 1.1 release package (`ocds.py`, a pure builder
that the award, contract and implementation stages extend). The standards' JSON Schemas are vendored in
`schemas/` (see its README) and the tests validate the exports against them."""
