"""Parse errors that point at the position of the problem."""
from __future__ import annotations


class ExprError(ValueError):
    def __init__(self, message: str, text: str = "", position: int | None = None):
        super().__init__(message)
        self.text = text
        self.position = position

    def pointed(self) -> str:
        """The message, the text and a caret under the offending spot."""
        if self.position is None or not self.text:
            return str(self)
        start = max(0, self.position - 50)
        snippet = self.text[start:start + 100].replace("\n", " ")
        return f"{self}\n  {snippet}\n  {' ' * (self.position - start)}^"
