"""reference: the official Russian names of the regions formed in 2022 (область Абай, Жетісу, Ұлытау)

The first migration loads src/asar/reference/data/kz_regions.csv, which now carries these names;
databases created before the change are brought in line here.

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

import asar.db  # noqa: F401

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

# iso_code: (old name_ru, official name_ru)
NAMES = {
    "KZ-10": ("Абайская область", "область Абай"),
    "KZ-33": ("Жетысуская область", "область Жетісу"),
    "KZ-62": ("Улытауская область", "область Ұлытау"),
}
_regions = sa.table("regions", sa.column("iso_code"), sa.column("name_ru"))


def _rename(pick: int) -> None:
    for iso_code, names in NAMES.items():
        op.execute(_regions.update().where(_regions.c.iso_code == iso_code).values(name_ru=names[pick]))


def upgrade() -> None:
    _rename(1)


def downgrade() -> None:
    _rename(0)
