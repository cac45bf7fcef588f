"""Routing rules and clinic settings in the database; canned responses ready to edit and sync

Revision ID: 0006
Revises: 0011
Create Date: 2026-11-26

- ``routing_rule``: the clinic's ordered rules (conditions and actions as in
  ``console.routing.rules.Rule``), with a whole-row clock stamp ``hlc`` and a ``deleted``
  tombstone so sync can carry edits and deletions.
- ``clinic_setting``: clinic-wide values (the classifier's threshold, the branch name), one row
  per key with its clock stamp.
- ``canned_response`` gains a shortcut, an order, a clock stamp, ``updated_at`` and a tombstone,
  and the starter responses (natural Korean, one set per department) are added. Their ids are
  fixed (uuid5 of the department and a number), so every PC seeds the same rows and sync sees
  one response, not one per PC; their stamp is empty, so any edit wins over the seed.
"""

import uuid

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0011"
branch_labels = None
depends_on = None

#: Namespace of the starter responses' ids (console.canned.STARTER_NAMESPACE when written).
STARTER_NAMESPACE = uuid.UUID("6f2a3c1e-6b0d-4f6e-9a59-0c5e4a7d2b10")

Int = sa.BigInteger().with_variant(sa.Integer(), "sqlite")

#: (department, shortcut, title, body) in display order within each department.
STARTER = (
    (
        "general",
        "인사",
        "첫 인사",
        "안녕하세요, {고객명}님. 소통의원 {지점} {담당자}입니다.\n"
        "문의 주셔서 감사합니다. 확인 후 바로 안내드리겠습니다.",
    ),
    (
        "general",
        "예약",
        "예약 안내",
        "{고객명}님, 예약을 도와드리겠습니다.\n"
        "원하시는 날짜와 시간대, 상담받고 싶으신 진료과를 알려 주시면 가능한 시간을 "
        "확인해 드릴게요.",
    ),
    (
        "general",
        "진료시간",
        "진료 시간 안내",
        "{지점} 진료 시간 안내드립니다.\n"
        "평일 오전 10시 ~ 오후 7시, 토요일 오전 10시 ~ 오후 3시이며 점심시간은 "
        "오후 1시 ~ 2시입니다. 일요일과 공휴일은 휴진입니다.",
    ),
    (
        "general",
        "오시는길",
        "오시는 길",
        "{지점}은 지하철역 3번 출구에서 도보 2분 거리에 있습니다.\n"
        "건물 지하 주차장을 이용하시면 진료 당일 2시간 무료 주차가 가능합니다.",
    ),
    (
        "general",
        "확인중",
        "확인 후 연락",
        "{고객명}님, 문의하신 내용은 담당 부서에 확인 후 다시 연락드리겠습니다. "
        "잠시만 기다려 주세요.",
    ),
    (
        "plastic",
        "성형상담",
        "성형 상담 예약",
        "{고객명}님, 성형외과 상담을 원하시는군요.\n"
        "원장님 상담은 예약제로 진행되며 약 30분 소요됩니다. 편하신 날짜를 알려 주시면 "
        "{담당자}이(가) 예약을 잡아 드리겠습니다.",
    ),
    (
        "plastic",
        "붓기",
        "수술 후 붓기 안내",
        "{고객명}님, 수술 후 붓기는 보통 1~2주 사이에 대부분 가라앉습니다.\n"
        "냉찜질을 자주 해 주시고, 통증이나 열감이 심해지면 바로 {지점}으로 연락 주세요.",
    ),
    (
        "dental",
        "치과상담",
        "치과 진료 예약",
        "{고객명}님, 치과 진료 예약을 도와드리겠습니다.\n"
        "불편하신 부위와 증상을 간단히 알려 주시면 진료 시간을 맞춰 안내드릴게요.",
    ),
    (
        "dental",
        "스케일링",
        "스케일링 안내",
        "스케일링은 만 19세 이상 연 1회 건강보험이 적용되며 약 20~30분 걸립니다.\n"
        "{고객명}님 편하신 시간을 알려 주세요.",
    ),
    (
        "derm",
        "피부상담",
        "피부과 상담 안내",
        "{고객명}님, 피부 고민을 알려 주셔서 감사합니다.\n"
        "정확한 상담을 위해 피부과 원장님 진료 후 시술을 안내드리고 있습니다. "
        "방문 가능한 날짜를 알려 주세요.",
    ),
    (
        "derm",
        "시술후",
        "시술 후 주의사항",
        "시술 후 2~3일은 사우나와 과한 음주를 피하시고, 자외선 차단제를 꼭 발라 주세요.\n"
        "궁금한 점이 있으시면 언제든 {지점}으로 문의 주세요.",
    ),
    (
        "obesity",
        "비만상담",
        "비만클리닉 상담 안내",
        "{고객명}님, 비만클리닉 첫 상담에서는 체성분 검사 후 맞춤 관리 계획을 안내드립니다.\n"
        "상담은 약 40분 소요되며, 가벼운 복장으로 오시면 좋습니다.",
    ),
    (
        "obesity",
        "주사",
        "주사 치료 안내",
        "주사 치료는 주 1회 방문이 기본이며, 효과와 부작용은 상담 시 자세히 설명드립니다.\n"
        "예약을 원하시면 {담당자}에게 편하신 시간을 말씀해 주세요.",
    ),
)


def _starter_rows() -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    counts: dict[str, int] = {}
    for department, shortcut, title, body in STARTER:
        number = counts.get(department, 0) + 1
        counts[department] = number
        rows.append(
            {
                "id": str(uuid.uuid5(STARTER_NAMESPACE, f"{department}:{number}")),
                "department": department,
                "title": title,
                "body": body,
                "shortcut": shortcut,
                "sort_order": number,
                "hlc": "",
                "updated_at": 0,
                "deleted": False,
            }
        )
    return rows


def upgrade() -> None:
    op.create_table(
        "routing_rule",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("position", Int, nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("department", sa.String(length=32), nullable=False),
        sa.Column("channels", sa.JSON(), nullable=False),
        sa.Column("account_ids", sa.JSON(), nullable=False),
        sa.Column("handles", sa.JSON(), nullable=False),
        sa.Column("keywords_any", sa.JSON(), nullable=False),
        sa.Column("keywords_all", sa.JSON(), nullable=False),
        sa.Column("pattern", sa.Text(), nullable=True),
        sa.Column("labels", sa.JSON(), nullable=False),
        sa.Column("priority", sa.Integer(), nullable=True),
        sa.Column("assignee_id", sa.String(length=36), nullable=True),
        sa.Column("deleted", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("hlc", sa.String(length=48), nullable=False, server_default=""),
        sa.Column("created_at", Int, nullable=False),
        sa.Column("updated_at", Int, nullable=False),
        sa.ForeignKeyConstraint(
            ["department"],
            ["department.code"],
            name=op.f("fk_routing_rule_department_department"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_routing_rule")),
    )
    op.create_index("ix_routing_rule_position", "routing_rule", ["deleted", "position"])
    op.create_table(
        "clinic_setting",
        sa.Column("key", sa.String(length=40), nullable=False),
        sa.Column("value", sa.JSON(), nullable=True),
        sa.Column("hlc", sa.String(length=48), nullable=False, server_default=""),
        sa.Column("updated_at", Int, nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_clinic_setting")),
    )
    op.add_column(
        "canned_response",
        sa.Column("shortcut", sa.String(length=40), nullable=False, server_default=""),
    )
    op.add_column(
        "canned_response", sa.Column("sort_order", Int, nullable=False, server_default="0")
    )
    op.add_column(
        "canned_response",
        sa.Column("hlc", sa.String(length=48), nullable=False, server_default=""),
    )
    op.add_column(
        "canned_response", sa.Column("updated_at", Int, nullable=False, server_default="0")
    )
    op.add_column(
        "canned_response",
        sa.Column("deleted", sa.Boolean(), nullable=False, server_default=sa.false()),
    )
    canned = sa.table(
        "canned_response",
        sa.column("id", sa.String),
        sa.column("department", sa.String),
        sa.column("title", sa.String),
        sa.column("body", sa.Text),
        sa.column("shortcut", sa.String),
        sa.column("sort_order", sa.Integer),
        sa.column("hlc", sa.String),
        sa.column("updated_at", sa.Integer),
        sa.column("deleted", sa.Boolean),
    )
    op.bulk_insert(canned, _starter_rows())


def downgrade() -> None:
    ids = [str(row["id"]) for row in _starter_rows()]
    canned = sa.table("canned_response", sa.column("id", sa.String))
    op.execute(canned.delete().where(canned.c.id.in_(ids)))
    with op.batch_alter_table("canned_response") as batch_op:
        batch_op.drop_column("deleted")
        batch_op.drop_column("updated_at")
        batch_op.drop_column("hlc")
        batch_op.drop_column("sort_order")
        batch_op.drop_column("shortcut")
    op.drop_table("clinic_setting")
    op.drop_index("ix_routing_rule_position", table_name="routing_rule")
    op.drop_table("routing_rule")
