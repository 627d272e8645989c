-- JSON builders shared by the Admin API and the profile: one definition of each object shape
-- (admin-api.md §3), so every endpoint emits the same keys in the same order.

-- snake_case -> camelCase for one key (conventions.md §2.1), with the ignore list.
CREATE OR REPLACE FUNCTION jhe_camel(k text) RETURNS text
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $$
DECLARE
  out text := '';
  i int := 1;
  n int := length(k);
  c text;
  nx text;
BEGIN
  IF k IN ('response_type', 'client_id', 'redirect_uri', 'code_challenge',
           'code_challenge_method', 'grant_type', 'code_verifier', 'token_endpoint') THEN
    RETURN k;
  END IF;
  IF position('_' IN k) = 0 THEN
    RETURN k;
  END IF;
  WHILE i <= n LOOP
    c := substr(k, i, 1);
    nx := substr(k, i + 1, 1);
    IF c = '_' AND nx ~ '^[a-z0-9]$' THEN
      out := out || upper(nx);
      i := i + 2;
    ELSE
      out := out || c;
      i := i + 1;
    END IF;
  END LOOP;
  RETURN out;
END $$;

-- Every key of a JSON document camelCased, recursively (practitioner settings).
CREATE OR REPLACE FUNCTION jhe_camel_keys(j jsonb) RETURNS jsonb
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
  SELECT CASE jsonb_typeof(j)
    WHEN 'object' THEN COALESCE((SELECT jsonb_object_agg(jhe_camel(key), jhe_camel_keys(value))
                                   FROM jsonb_each(j)), '{}'::jsonb)
    WHEN 'array' THEN COALESCE((SELECT jsonb_agg(jhe_camel_keys(value) ORDER BY ord)
                                  FROM jsonb_array_elements(j) WITH ORDINALITY AS e(value, ord)),
                               '[]'::jsonb)
    ELSE j END
$$;

-- Organization object; role is the caller's currentUserRole (NULL when nested).
CREATE OR REPLACE FUNCTION jhe_org_json(o organization, role text) RETURNS json
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT json_build_object('id', o.id, 'name', o.name, 'type', o.type, 'partOf', o.part_of_id,
                           'currentUserRole', role, 'children', '[]'::json)
$$;

CREATE OR REPLACE FUNCTION jhe_patient_identifiers_json(pid bigint) RETURNS json
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT COALESCE(json_agg(json_build_object('id', i.id, 'system', i.system, 'value', i.value)
                           ORDER BY i.id), '[]'::json)
    FROM patient_identifier i WHERE i.patient_id = pid
$$;

CREATE OR REPLACE FUNCTION jhe_patient_organizations_json(pid bigint) RETURNS json
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT COALESCE(json_agg(jhe_org_json(o, NULL) ORDER BY o.name, o.id), '[]'::json)
    FROM patient_organization po JOIN organization o ON o.id = po.organization_id
   WHERE po.patient_id = pid
$$;

-- The full Patient object (admin-api.md §3).
CREATE OR REPLACE FUNCTION jhe_patient_json(pid bigint) RETURNS json
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT json_build_object('id', p.id, 'jheUserId', p.jhe_user_id,
           'identifiers', jhe_patient_identifiers_json(p.id),
           'nameFamily', p.name_family, 'nameGiven', p.name_given,
           'birthDate', to_char(p.birth_date, 'YYYY-MM-DD'), 'telecomPhone', p.telecom_phone,
           'telecomEmail', u.email,
           'organizations', jhe_patient_organizations_json(p.id))
    FROM patient p LEFT JOIN jhe_user u ON u.id = p.jhe_user_id
   WHERE p.id = pid
$$;
