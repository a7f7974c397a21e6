{#- The value of one parameter of a query string (`a=1&b=2`, no leading `?`), as written (not
    percent-decoded); NULL when the parameter is absent or empty. -#}
{% macro url_parameter(query_string, name) -%}
    {{ return(adapter.dispatch('url_parameter', 'touchpoints')(query_string, name)) }}
{%- endmacro %}

{% macro default__url_parameter(query_string, name) -%}
    nullif(regexp_extract({{ query_string }}, '(?:^|&){{ name }}=([^&]*)', 1), '')
{%- endmacro %}

{% macro postgres__url_parameter(query_string, name) -%}
    nullif(substring({{ query_string }} from '(?:^|&){{ name }}=([^&]*)'), '')
{%- endmacro %}

{#- A Meta URL parameter with the ad's own macros filled in, as Meta fills them when the ad is clicked:
    {{campaign.name}}, {{campaign.id}}, {{adset.name}}, {{adset.id}}, {{ad.name}} and {{ad.id}}. -#}
{% macro meta_url_macros_filled(value) -%}
    {%- set macros = {'campaign.name': 'campaign_name', 'campaign.id': 'campaign_id', 'adset.name': 'adset_name',
                      'adset.id': 'adset_id', 'ad.name': 'ad_name', 'ad.id': 'ad_id'} -%}
    {%- set filled = namespace(sql=value) -%}
    {%- for macro, column in macros.items() -%}
        {%- set filled.sql = "replace(" ~ filled.sql ~ ", '{{" ~ macro ~ "}}', coalesce(" ~ column ~ ", ''))" -%}
    {%- endfor -%}
    {{ filled.sql }}
{%- endmacro %}
