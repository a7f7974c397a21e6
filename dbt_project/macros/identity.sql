{#- The contract's customer key: 'cus_' || left(sha256(lower(trim(email))), 16), or the anonymous key. -#}
{% macro sha256_hex(expression) -%}
    {{ return(adapter.dispatch('sha256_hex', 'touchpoints')(expression)) }}
{%- endmacro %}

{% macro default__sha256_hex(expression) -%}
    sha256({{ expression }})
{%- endmacro %}

{% macro spark__sha256_hex(expression) -%}
    sha2({{ expression }}, 256)
{%- endmacro %}

{% macro postgres__sha256_hex(expression) -%}
    encode(sha256(convert_to({{ expression }}, 'UTF8')), 'hex')
{%- endmacro %}

{% macro normalize_email(expression) -%}
    nullif(lower(trim({{ expression }})), '')
{%- endmacro %}

{% macro customer_key(email_normalized, source_system, source_user_id) -%}
    case
        when {{ email_normalized }} is not null
            then 'cus_' || left({{ sha256_hex(email_normalized) }}, 16)
        else 'anon_' || {{ source_system }} || '_' || {{ source_user_id }}
    end
{%- endmacro %}
