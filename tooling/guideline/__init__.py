"""guideline: source, build, diff and comment toolchain for the 情報セキュリティポリシーガイドライン."""

__version__ = "0.1.0"
