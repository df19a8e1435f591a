import { DomainError } from '../errors.js'
import { pgError } from './errors.js'

/**
 * What each database constraint means in the domain's words. The database gives the
 * guarantee; this table turns its refusal into a clear problem. Details of the
 * database error are never copied: they may contain personal data.
 */
const CONSTRAINTS: Record<string, { kind: DomainError['kind'], code: string, message: string }> = {
  units_sibling_code_key: { kind: 'conflict', code: 'unit_code_taken', message: 'Another unit under the same parent already has this code.' },
  units_code_path_key: { kind: 'conflict', code: 'unit_code_taken', message: 'Another unit already has this code path.' },
  units_parent_level_check: { kind: 'unprocessable', code: 'invalid_parent_level', message: 'A unit must hang under a unit of the level directly above it (state > district > block > ward > booth).' },
  units_code_check: { kind: 'invalid', code: 'invalid_code', message: 'A code is 1 to 32 upper-case letters, digits, - or _, starting with a letter or digit.' },
  units_name_check: { kind: 'invalid', code: 'invalid_name', message: 'A name is 1 to 200 characters.' },
  units_booth_fields_check: { kind: 'unprocessable', code: 'booth_fields_on_non_booth', message: 'Assembly constituency and polling station fields belong to booths only.' },
  api_keys_scope_unit_id_units_id_fk: { kind: 'conflict', code: 'unit_scopes_api_keys', message: 'API keys are scoped to this unit: revoke or re-scope them first.' },
  api_keys_mask_check: { kind: 'unprocessable', code: 'masking_only_for_readers', message: 'maskPersonalData applies to reader keys only.' },
  webhooks_key_revoked: { kind: 'conflict', code: 'webhook_key_revoked', message: 'The key that created this webhook is revoked or expired: create a new webhook with a live key.' },
  webhooks_unit_id_units_id_fk: { kind: 'conflict', code: 'unit_has_webhooks', message: 'Webhooks are registered on this unit: delete them first.' },
  outside_scope: { kind: 'forbidden', code: 'outside_scope', message: 'The change would touch a record outside the subtree your key may change: a key with a wider scope must make it.' },
  own_booth_rule: { kind: 'conflict', code: 'own_booth_rule', message: 'Every office-bearer must hold a current, active membership at their own home booth; this change would break that.' },
  appointments_seats: { kind: 'conflict', code: 'post_full', message: 'The post has no free seat over those dates.' },
  appointments_role_level: { kind: 'unprocessable', code: 'role_not_at_level', message: 'This role does not exist at the unit\'s level.' },
  appointments_no_double_term: { kind: 'conflict', code: 'already_holds_post', message: 'This person already holds this post over those dates.' },
  memberships_one_current_idx: { kind: 'conflict', code: 'membership_exists', message: 'This person already has a current membership.' },
  people_voter_id_key: { kind: 'conflict', code: 'voter_id_taken', message: 'Another person already has this voter ID. If you cannot find them, they are outside your scope: an admin of a wider scope must resolve it.' },
  people_home_booth_fkey: { kind: 'conflict', code: 'booth_is_home', message: 'People have this booth as their home booth: move them first.' },
  memberships_booth_fkey: { kind: 'conflict', code: 'booth_has_memberships', message: 'Memberships (current or past) are held at this booth.' },
  appointments_unit_id_units_id_fk: { kind: 'conflict', code: 'unit_has_appointments', message: 'Terms of office (current or past) are held at this unit.' },
  appointments_role_fkey: { kind: 'unprocessable', code: 'unknown_role', message: 'There is no such role in the wing\'s roles catalogue.' },
  assemblies_name_match: { kind: 'conflict', code: 'assembly_name_mismatch', message: 'The state already has an assembly constituency with this number under another name: give its name (GET /v1/assemblies), or rename the constituency.' },
  assemblies_name_check: { kind: 'invalid', code: 'invalid_name', message: 'A name is 1 to 200 characters.' },
  assemblies_reserved_check: { kind: 'invalid', code: 'invalid_reserved', message: 'A reserved constituency is SC or ST (null when unreserved).' },
  units_ac_number_check: { kind: 'invalid', code: 'invalid_ac_number', message: 'An assembly constituency number is between 1 and 9999.' },
  social_platforms_pkey: { kind: 'conflict', code: 'platform_exists', message: 'A platform with this code already exists.' },
  social_platforms_code_check: { kind: 'invalid', code: 'invalid_code', message: 'A platform code is 2 to 30 lower-case letters, digits or _, starting with a letter.' },
  social_platforms_name_check: { kind: 'invalid', code: 'invalid_name', message: 'A name is 1 to 100 characters.' },
  social_platforms_profile_url_check: { kind: 'invalid', code: 'invalid_profile_url', message: 'A profile address starts with https:// and has {handle} where the handle goes.' },
  person_handles_platform_handle_key: { kind: 'conflict', code: 'handle_taken', message: 'This handle belongs to another person: a handle is one person\'s.' },
  person_handles_handle_check: { kind: 'unprocessable', code: 'invalid_handle', message: 'That is not a valid handle of the platform (GET /v1/platforms lists each platform\'s rule).' },
  handle_duties_pkey: { kind: 'conflict', code: 'duty_exists', message: 'Holders of this post must already run this platform.' },
  handle_duties_role_fkey: { kind: 'unprocessable', code: 'unknown_role', message: 'There is no such role in the wing\'s roles catalogue.' },
  clusters_unit_code_key: { kind: 'conflict', code: 'cluster_code_taken', message: 'Another cluster of this unit already has this code.' },
  clusters_code_check: { kind: 'invalid', code: 'invalid_code', message: 'A code is 1 to 32 upper-case letters, digits, - or _, starting with a letter or digit.' },
  clusters_name_check: { kind: 'invalid', code: 'invalid_name', message: 'A name is 1 to 200 characters.' },
  clusters_unit_level: { kind: 'unprocessable', code: 'cluster_unit_level', message: 'Clusters of this kind belong to units of another level (GET /v1/cluster-kinds says which).' },
  clusters_unit_fixed: { kind: 'unprocessable', code: 'cluster_unit_fixed', message: 'A cluster stays with its unit: make a new one under the other unit.' },
  clusters_parent_match: { kind: 'unprocessable', code: 'cluster_parent_mismatch', message: 'A cluster is grouped by a cluster of the same unit whose kind groups its kind (a zone groups sectors).' },
  clusters_kind_code_cluster_kinds_code_fk: { kind: 'unprocessable', code: 'unknown_cluster_kind', message: 'There is no such cluster kind (GET /v1/cluster-kinds).' },
  clusters_unit_id_units_id_fk: { kind: 'conflict', code: 'unit_has_clusters', message: 'Booth clusters belong to this unit: delete them first.' },
  cluster_booths_pkey: { kind: 'conflict', code: 'booth_in_cluster_of_kind', message: 'The booth is already in a cluster of this kind: remove it there first.' },
  cluster_booths_within_unit: { kind: 'conflict', code: 'booth_outside_cluster_unit', message: 'A cluster\'s booths lie under its unit: this booth does not (to move a booth out of its clusters, say leaveClusters).' },
  cluster_booths_kind_groups: { kind: 'unprocessable', code: 'cluster_groups_clusters', message: 'Clusters of this kind group other clusters, not booths.' },
  appointments_cluster_fkey: { kind: 'conflict', code: 'cluster_has_terms', message: 'Terms of office (current or past) are held at this cluster.' },
  cluster_kinds_pkey: { kind: 'conflict', code: 'cluster_kind_exists', message: 'A cluster kind with this code already exists.' },
  cluster_kinds_code_check: { kind: 'invalid', code: 'invalid_code', message: 'A cluster kind code is 2 to 30 lower-case letters, digits or _, starting with a letter.' },
  cluster_kinds_groups_kind_cluster_kinds_code_fk: { kind: 'unprocessable', code: 'unknown_cluster_kind', message: 'groupsKind names no cluster kind.' },
  roles_cluster_kind_cluster_kinds_code_fk: { kind: 'unprocessable', code: 'unknown_cluster_kind', message: 'clusterKind names no cluster kind.' },
  roles_levels_check: { kind: 'invalid', code: 'invalid_levels', message: 'A unit\'s role has levels; a cluster\'s role (clusterKind) has none.' },
  topics_pkey: { kind: 'conflict', code: 'topic_exists', message: 'A topic with this code already exists.' },
  topics_code_check: { kind: 'invalid', code: 'invalid_code', message: 'A topic code is 2 to 50 lower-case letters, digits or _, starting with a letter.' },
  topics_name_check: { kind: 'invalid', code: 'invalid_name', message: 'A name is 1 to 100 characters.' },
  camp_topics_topic_code_topics_code_fk: { kind: 'unprocessable', code: 'unknown_topic', message: 'There is no such topic (GET /v1/topics).' },
  camps_dates_check: { kind: 'unprocessable', code: 'invalid_camp_dates', message: 'A camp ends on or after the day it starts, and within 30 days of it.' },
  camps_capacity_check: { kind: 'invalid', code: 'invalid_capacity', message: 'A capacity is at least 1 (or none).' },
  camps_title_check: { kind: 'invalid', code: 'invalid_title', message: 'A title is 1 to 200 characters.' },
  camps_unit_fixed: { kind: 'unprocessable', code: 'camp_unit_fixed', message: 'A camp stays with the unit that organises it.' },
  camps_kept: { kind: 'conflict', code: 'camp_kept', message: 'A camp that was held or has attendance is kept for its history: cancel a camp that did not take place instead.' },
  camps_cancelled_attended: { kind: 'conflict', code: 'camp_has_attendance', message: 'People attended this camp: it cannot be cancelled.' },
  camps_audience_assembly_id_assemblies_id_fk: { kind: 'unprocessable', code: 'unknown_assembly', message: 'The audience names no assembly constituency (GET /v1/assemblies).' },
  camps_unit_id_units_id_fk: { kind: 'conflict', code: 'unit_has_camps', message: 'Training camps are organised by this unit.' },
  camp_trainers_person_id_people_id_fk: { kind: 'conflict', code: 'person_is_trainer', message: 'This person is a trainer of a camp.' },
  invitations_person_id_people_id_fk: { kind: 'conflict', code: 'person_has_invitations', message: 'This person was invited to a training camp; the invitation is kept for its history.' },
  invitations_camp_person_key: { kind: 'conflict', code: 'already_invited', message: 'This person is already invited to the camp.' },
  invitations_within_camp: { kind: 'unprocessable', code: 'person_outside_camp', message: 'A camp invites people whose home booth lies under the unit that organises it.' },
  invitations_fixed: { kind: 'unprocessable', code: 'invitation_fixed', message: 'An invitation keeps its camp and person.' },
  invitation_attendance: { kind: 'conflict', code: 'invitation_attendance', message: 'An invitation is attended exactly when a day of attendance is recorded: check the person in instead.' },
  attendance_within_camp: { kind: 'unprocessable', code: 'day_outside_camp', message: 'Attendance is recorded on one of the camp\'s days, not after today, at a camp that is not cancelled.' },
  camp_capacity: { kind: 'conflict', code: 'camp_full', message: 'The camp is full: its confirmations have reached its capacity.' }
}

/** Foreign keys to the platforms catalogue: refused on delete, the platform is in use; on insert, it is unknown. */
const PLATFORM_FOREIGN_KEYS = new Set([
  'person_handles_platform_code_social_platforms_code_fk',
  'handle_duties_platform_code_social_platforms_code_fk',
  'handle_issues_platform_code_social_platforms_code_fk'
])

export function domainErrorFromDatabase (err: unknown): DomainError | undefined {
  const pe = pgError(err)
  if (!pe) return undefined
  if (pe.constraint && CONSTRAINTS[pe.constraint]) {
    const c = CONSTRAINTS[pe.constraint]
    // A foreign key refusal on delete means "still referenced", on insert "missing".
    return new DomainError(c.kind, c.code, c.message)
  }
  if (pe.constraint === 'roles_wing_code_wings_code_fk') {
    return pe.code === '23503' && /^update or delete/i.test(pe.message)
      ? new DomainError('conflict', 'wing_in_use', 'The wing has roles in the roles catalogue: remove them first.')
      : new DomainError('unprocessable', 'unknown_wing', 'There is no such wing in the wings catalogue.')
  }
  if (pe.constraint && PLATFORM_FOREIGN_KEYS.has(pe.constraint)) {
    return pe.code === '23503' && /^update or delete/i.test(pe.message)
      ? new DomainError('conflict', 'platform_in_use', 'Handles, duties or handle issues name this platform: remove them first.')
      : new DomainError('unprocessable', 'unknown_platform', 'There is no such platform in the platforms catalogue (GET /v1/platforms).')
  }
  if (pe.constraint === 'units_parent_fkey') {
    return pe.code === '23503' && /^update or delete/i.test(pe.message)
      ? new DomainError('conflict', 'unit_has_children', 'The unit still has child units.')
      : new DomainError('unprocessable', 'parent_not_found', 'The parent unit does not exist.')
  }
  switch (pe.code) {
    case '23505': return new DomainError('conflict', 'duplicate', 'A record with the same unique value already exists.')
    case '23503': return new DomainError('conflict', 'referenced', 'The record is referenced by, or references, another record in a way that is not allowed.')
    case '23514': return new DomainError('unprocessable', 'constraint_violated', 'The change would break a rule of the data model.')
    case '22P02': return new DomainError('invalid', 'invalid_value', 'A value has the wrong format.')
    case '22001': return new DomainError('invalid', 'value_too_long', 'A value is too long.')
    case '40001':
    case '40P01': return new DomainError('conflict', 'concurrent_update', 'The change collided with a concurrent change. Retry the request.')
    case '55P03': return new DomainError('unavailable', 'busy', 'The records this change needs are held by other work (a bulk import, a move) for longer than a request may wait. Retry after the time in Retry-After.')
    case '57014': return new DomainError('unavailable', 'query_timeout', 'The database took too long to answer. Retry later.')
  }
  // Class 22, data exceptions: a value the database cannot take (out of range, a byte it
  // cannot store). Validation should have refused it first; this is the last line.
  if (pe.code.startsWith('22')) return new DomainError('invalid', 'invalid_value', 'A value is out of range or has a form the database cannot store.')
  return undefined
}
