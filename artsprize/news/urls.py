from django.urls import path

from artsprize.news import feeds, views

app_name = "news"

urlpatterns = [
    path("", views.news_list, name="list"),
    path("feed/en/rss/", feeds.EnglishRss(), name="feed_en_rss"),
    path("feed/en/atom/", feeds.EnglishAtom(), name="feed_en_atom"),
    path("feed/zh-hant/rss/", feeds.ChineseRss(), name="feed_zh_hant_rss"),
    path("feed/zh-hant/atom/", feeds.ChineseAtom(), name="feed_zh_hant_atom"),
    path("<slug:slug>/", views.post_detail, name="detail"),
]
