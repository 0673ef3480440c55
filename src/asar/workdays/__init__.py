"""Kazakhstan's working-day calendar: public holidays, moved and transferred days off, deadlines in working days."""
