{#-
    Where a session came from: its marketing channel, by rules modelled on GA4's default channel groups
    (docs/kpis.md, "Marketing channel of a session"). Source and medium are the landing page's UTM tags; a
    session without them gets google / cpc from a Google Ads click id (gclid), else its external referrer's
    host / referral, else nothing (direct). The first rule that matches wins.
-#}
{% macro marketing_channel(source, medium, referrer_host, click_id) -%}
    {%- set external_host -%}
        case when {{ referrer_host }} not in ({{ quoted(var('site_hosts')) }}) then {{ referrer_host }} end
    {%- endset -%}
    {%- set src -%}
        lower(coalesce({{ source }}, case when {{ click_id }} is not null then 'google' end, {{ external_host }}))
    {%- endset -%}
    {%- set med -%}
        lower(coalesce({{ medium }}, case
            when {{ source }} is not null then null
            when {{ click_id }} is not null then 'cpc'
            when {{ external_host }} is not null then 'referral'
        end))
    {%- endset -%}
    {%- set paid -%}
        ({{ med }} like '%cp%' or {{ med }} in ('ppc', 'retargeting') or {{ med }} like 'paid%')
    {%- endset -%}
    case
        when {{ src }} is null and {{ med }} is null then 'direct'
        when {{ src }} in ({{ quoted(search_sites()) }}) and {{ paid }} then 'paid_search'
        when {{ src }} in ({{ quoted(social_sites()) }}) and {{ paid }} then 'paid_social'
        when {{ med }} in ('display', 'banner', 'expandable', 'interstitial', 'cpm') then 'display'
        when {{ paid }} then 'other'
        when {{ src }} in ({{ quoted(social_sites()) }})
            or {{ med }} in ('social', 'social-network', 'social-media', 'sm', 'social network', 'social media')
            then 'organic_social'
        when {{ src }} in ({{ quoted(search_sites()) }}) or {{ med }} = 'organic' then 'organic_search'
        when {{ med }} in ('referral', 'app', 'link') then 'referral'
        when {{ src }} in ('email', 'e-mail', 'e_mail', 'e mail') or {{ med }} in ('email', 'e-mail', 'e_mail', 'e mail')
            then 'email'
        when {{ med }} in ('affiliate', 'affiliates') then 'affiliate'
        else 'other'
    end
{%- endmacro %}

{#- Search engines, as a UTM source or a referrer's host (GA4 keeps its own, longer list). -#}
{% macro search_sites() -%}
    {{ return([
        'google', 'google.com', 'www.google.com', 'bing', 'bing.com', 'www.bing.com', 'duckduckgo', 'duckduckgo.com',
        'yahoo', 'search.yahoo.com', 'ecosia', 'www.ecosia.org', 'baidu', 'www.baidu.com', 'yandex', 'yandex.ru',
        'search.brave.com'
    ]) }}
{%- endmacro %}

{#- Social networks, likewise. -#}
{% macro social_sites() -%}
    {{ return([
        'facebook', 'fb', 'facebook.com', 'www.facebook.com', 'm.facebook.com', 'l.facebook.com', 'lm.facebook.com',
        'instagram', 'ig', 'instagram.com', 'www.instagram.com', 'l.instagram.com', 'twitter', 'twitter.com', 'x.com',
        't.co', 'linkedin', 'linkedin.com', 'www.linkedin.com', 'lnkd.in', 'pinterest', 'www.pinterest.com',
        'reddit', 'www.reddit.com', 'tiktok', 'www.tiktok.com'
    ]) }}
{%- endmacro %}

{#- A list of strings as SQL literals: 'a', 'b'. -#}
{% macro quoted(values) -%}
    {%- for value in values %}'{{ value }}'{{ ', ' if not loop.last }}{% endfor -%}
{%- endmacro %}

{#- A URL's query string (after `?`, before any `#`), or NULL; its parameters: url_parameter. -#}
{% macro url_query_string(url) -%}
    {{ regexp_group(url, '[?]([^#]*)') }}
{%- endmacro %}

{#- A URL's host, lower-cased, or NULL. -#}
{% macro url_host(url) -%}
    {{ regexp_group('lower(' ~ url ~ ')', '^[a-z][a-z0-9+.-]*://([^/?#:]+)') }}
{%- endmacro %}

{#- Whether a path is content: it matches one of the comma-separated LIKE patterns of the
    `content_path_pattern` var (env TOUCHPOINTS_CONTENT_PATHS, docs/configuration.md). -#}
{% macro is_content_path(path) -%}
    ({% for pattern in var('content_path_pattern').split(',') %}{{ path }} like '{{ pattern | trim }}'{{ ' or ' if not loop.last }}{% endfor %})
{%- endmacro %}
