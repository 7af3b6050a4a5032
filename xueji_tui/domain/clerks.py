"""Clerks, their roles and what they may see (docs/codes.md: "Who may do what")."""

from __future__ import annotations

from dataclasses import dataclass

from xueji_tui.domain.errors import NotAllowed

ROLES = {"office": "学生工作处", "college": "学院"}


@dataclass(frozen=True)
class Clerk:
    name: str
    role: str  # office | college
    college: str = ""  # FY, for a college clerk

    @property
    def office(self) -> bool:
        return self.role == "office"

    @property
    def title(self) -> str:
        return f"{self.name}（{ROLES[self.role]}{'·' + self.college if self.college else ''}）"

    def sees(self, student: dict) -> bool:
        return self.office or (student.get("FY") or "") == self.college

    def require_office(self, what: str) -> None:
        if not self.office:
            raise NotAllowed(f"“{what}”只能由学生工作处办理；{self.name} 是{self.college}的学院账号")

    def require_sees(self, student: dict) -> None:
        if not self.sees(student):
            raise NotAllowed(f"该学生不属于{self.college}，{self.name} 无权查看或修改")

    def limit_college(self, college: str | None) -> str | None:
        """The college a listing or export is limited to: a college clerk only ever gets its own."""
        if self.office:
            return college or None
        if college and college != self.college:
            raise NotAllowed(f"{self.name} 只能处理{self.college}的学生，不能处理“{college}”")
        return self.college
