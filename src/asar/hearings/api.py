"""Hearings JSON API."""

routes: list = []
