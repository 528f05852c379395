"""Exports of joint-program data for other systems: spreadsheets (CSV) and Erasmus Without Paper (OLA XML).

Pure functions of the workflow states, like the documents: no I/O, so a page, a CLI command or an
activity can call them and tests can check them without a server.
"""
