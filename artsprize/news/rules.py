import rules

from artsprize.accounts.rules import is_staff_member
from artsprize.news.enums import PostState


@rules.predicate
def is_published(user, post):
    return post is not None and post.state == PostState.PUBLISHED


rules.add_perm("news.manage_news", is_staff_member)
# The public page of a post: a draft or scheduled post is "not found" for
# everyone there, staff included, who read it on its preview page instead.
rules.add_perm("news.view_post", is_published)
