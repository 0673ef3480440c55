"""Awards (issue 10 item 7): each winner becomes a project funded by the call, milestone reports,
tranches released on approved reports. See docs/competitions.md, "Awards"."""
