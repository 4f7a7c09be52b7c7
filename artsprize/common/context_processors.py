from django.conf import settings


def portal(request):
    return {"PICS_VERSION": settings.PICS_VERSION}
