"""The CAPTCHA images of the public form (django-simple-captcha's views, mounted at /public/captcha/).
Only the images: not the package's "refresh" endpoint, which writes a new challenge row on every GET
and which our form does not use."""

from captcha import views
from django.urls import re_path

urlpatterns = [
    re_path(r"image/(?P<key>\w+)/$", views.captcha_image, name="captcha-image", kwargs={"scale": 1}),
    re_path(r"image/(?P<key>\w+)@2/$", views.captcha_image, name="captcha-image-2x", kwargs={"scale": 2}),
]
