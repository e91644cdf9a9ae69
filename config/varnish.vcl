# Varnish 7 in front of the app, purging by surrogate key (xkey, Debian's
# varnish-modules). Run it with, for example:
#
#   varnishd -F -a :6081 -f $PWD/config/varnish.vcl -s malloc,256m
#
# and give the app DJANGO_PURGE_URLS=http://127.0.0.1:6081/ so that every write
# purges the keys it invalidated (newsroom/purge.py).
#
# What is kept: anonymous GET and HEAD answers the app labelled with
# Surrogate-Control (a public page), for as long as s-maxage says (cut by the
# app to the next scheduled publication or embargo). Everything else passes:
# requests with a session or messages cookie (staff, previews), Authorization,
# the admin, share links for reviewers (/review/...), other methods.

vcl 4.1;

import xkey;
import std;

backend default {
    .host = "127.0.0.1";
    .port = "8000";
    .connect_timeout = 2s;
    .first_byte_timeout = 30s;
}

# Who may purge. Add the app servers' addresses here.
acl purgers {
    "127.0.0.1";
    "::1";
}

sub vcl_recv {
    if (req.method == "PURGE") {
        if (client.ip !~ purgers) {
            return (synth(403, "Forbidden"));
        }
        if (req.http.xkey-purge) {
            set req.http.n-gone = xkey.purge(req.http.xkey-purge);
        } elsif (req.http.Surrogate-Key) {
            set req.http.n-gone = xkey.purge(req.http.Surrogate-Key);
        } else {
            return (synth(400, "No keys to purge"));
        }
        return (synth(200, "Purged " + req.http.n-gone + " objects"));
    }
    if (req.method != "GET" && req.method != "HEAD") {
        return (pass);
    }
    if (req.url ~ "^/(admin|review)/") {
        return (pass);
    }
    if (req.http.Authorization) {
        return (pass);
    }
    if (req.http.Cookie ~ "(^|;\s*)(sessionid|messages)=") {
        return (pass);
    }
    # Anonymous: other cookies (the CSRF token, analytics) change nothing on a page.
    unset req.http.Cookie;
    return (hash);
}

sub vcl_backend_response {
    if (beresp.http.Surrogate-Key) {
        set beresp.http.xkey = beresp.http.Surrogate-Key;
    }
    # Only what the app marked as shareable is kept: no Surrogate-Control, no cache.
    if (!beresp.http.Surrogate-Control || beresp.http.Set-Cookie) {
        set beresp.uncacheable = true;
        set beresp.ttl = 0s;
        return (deliver);
    }
    # A purge or a schedule point ends a page at once: never serve it stale.
    set beresp.grace = 0s;
    unset beresp.http.Surrogate-Control;
}

sub vcl_deliver {
    if (obj.hits > 0) {
        set resp.http.X-Cache = "HIT";
    } else {
        set resp.http.X-Cache = "MISS";
    }
    # The keys are for this tier; readers need not see them.
    unset resp.http.xkey;
    unset resp.http.Surrogate-Key;
}
