from submissions.models.rounds import Category, Round

__all__ = ["Category", "Round"]
