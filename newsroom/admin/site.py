"""Accounts and tags, in the same theme as the rest of the admin."""

from django.contrib import admin, messages
from django.contrib.auth.admin import GroupAdmin as BaseGroupAdmin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.models import Group, User
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from taggit.admin import TagAdmin as BaseTagAdmin
from taggit.models import Tag
from unfold.admin import ModelAdmin
from unfold.forms import AdminPasswordChangeForm, UserChangeForm, UserCreationForm

from .. import forms
from ..tags import validate_tag_name

# Accounts and tags, in the same theme as everything else.
admin.site.unregister(User)
admin.site.unregister(Group)
admin.site.unregister(Tag)


@admin.register(User)
class UserAdmin(BaseUserAdmin, ModelAdmin):
    form = UserChangeForm
    add_form = UserCreationForm
    change_password_form = AdminPasswordChangeForm


@admin.register(Group)
class GroupAdmin(BaseGroupAdmin, ModelAdmin):
    pass


@admin.register(Tag)
class TagAdmin(BaseTagAdmin, ModelAdmin):
    form = forms.TagAdminForm

    def merge_tags_view(self, request):
        """taggit's merge, refusing a new name that is not a tag (no letter or digit)."""
        if request.method == "POST":
            try:
                validate_tag_name(request.POST.get("new_tag_name", ""))
            except ValidationError as error:
                self.message_user(request, error.messages[0], messages.ERROR)
                return HttpResponseRedirect(request.get_full_path())
        return super().merge_tags_view(request)
