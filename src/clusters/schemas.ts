import { z } from 'zod'
import { UNIT_LEVELS } from '../db/schema.js'
import { FormatQuery } from '../http/csv.js'
import { text } from '../http/fields.js'
import { PageQuery, pageOf } from '../http/pagination.js'
import { CoverageFigures, CoverageQuery } from '../coverage/schemas.js'
import { RoleCode } from '../roles/schemas.js'
import { WingQuery } from '../wings/schemas.js'

export const ClusterKindCode = z.string().trim().toLowerCase().regex(/^[a-z][a-z0-9_]{1,29}$/, 'a cluster kind code: lower-case letters, digits and _')
export const ClusterCode = z.string().trim().toUpperCase().regex(/^[A-Z0-9][A-Z0-9_-]{0,31}$/, 'a code: upper-case letters, digits, - and _')

export const ClusterKindSchema = z.object({
  code: z.string(),
  name: z.string(),
  localName: z.string().nullable(),
  groupsKind: z.string().nullable().describe('The kind of cluster this kind groups (a zone groups sectors); null when it groups booths'),
  levels: z.array(z.enum(UNIT_LEVELS)).describe('The levels of unit a cluster of this kind belongs to'),
  sortOrder: z.number().int()
}).meta({ id: 'ClusterKind' })

export const ClusterKindList = z.object({ items: z.array(ClusterKindSchema), nextCursor: z.null() }).meta({ id: 'ClusterKindList' })

export const CreateClusterKindBody = z.strictObject({
  code: ClusterKindCode,
  name: text(100),
  localName: text(100).optional(),
  groupsKind: ClusterKindCode.optional().describe('Clusters of this kind group clusters of that kind instead of booths'),
  levels: z.array(z.enum(['district', 'block', 'ward'])).min(1).describe('The levels of unit its clusters belong to'),
  sortOrder: z.number().int().min(0).max(10000).optional()
}).meta({ id: 'CreateClusterKind' })

export const ClusterSchema = z.object({
  id: z.uuid(),
  unitId: z.uuid().describe('The unit (ward or block) the cluster belongs to: its scope'),
  unitCodePath: z.string(),
  kind: z.string(),
  code: z.string().describe('Unique among the unit\'s clusters'),
  name: z.string(),
  localName: z.string().nullable(),
  parentId: z.uuid().nullable().describe('The cluster grouping this one (a sector\'s zone)'),
  boothCount: z.number().int().describe('Its booths; for a cluster that groups clusters, its members\' booths'),
  memberCount: z.number().int().describe('The clusters it groups (0 unless its kind groups clusters)'),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime()
}).meta({ id: 'Cluster' })

export const ClusterPage = pageOf(ClusterSchema).meta({ id: 'ClusterPage' })
export const ClusterIdParams = z.object({ id: z.uuid() })

export const CreateClusterBody = z.strictObject({
  unitId: z.uuid().describe('A unit of a level the kind allows (GET /v1/cluster-kinds)'),
  kind: ClusterKindCode,
  code: ClusterCode,
  name: text(200),
  localName: text(200).optional(),
  parentId: z.uuid().optional().describe('The cluster grouping this one: of the same unit, of the kind that groups this kind'),
  boothIds: z.array(z.uuid()).max(500).optional().describe('Booths to put in it at once (each under the unit, in no other cluster of the kind)')
}).meta({ id: 'CreateCluster' })

export const UpdateClusterBody = z.strictObject({
  name: text(200).optional(),
  localName: text(200).nullable().optional(),
  parentId: z.uuid().nullable().optional()
}).refine(b => Object.keys(b).length > 0, 'send at least one field to change').meta({ id: 'UpdateCluster' })

export const ListClustersQuery = z.object({
  unitId: z.uuid().optional().describe('Clusters of this unit and of the units below it'),
  kind: ClusterKindCode.optional(),
  parentId: z.uuid().optional().describe('The clusters this one groups'),
  q: text(100).optional().describe('Part of the code or name'),
  ...PageQuery
})

export const ClusterBoothsBody = z.strictObject({
  boothIds: z.array(z.uuid()).min(1).max(500)
}).meta({ id: 'ClusterBooths' })

export const ClusterBoothParams = z.object({ id: z.uuid(), boothId: z.uuid() })

export const ClusterBooth = z.object({
  id: z.uuid(),
  code: z.string(),
  codePath: z.string(),
  name: z.string(),
  acNumber: z.number().int().nullable(),
  psNumber: z.string().nullable()
}).meta({ id: 'ClusterBooth' })

export const ClusterBoothPage = pageOf(ClusterBooth).meta({ id: 'ClusterBoothPage' })

export const ClusterGapsQuery = z.object({
  kind: ClusterKindCode.default('sector').describe('Which clusters (default sector)'),
  wing: WingQuery,
  role: RoleCode.optional().describe('A post of the kind (default: its first required post, e.g. sector_incharge)'),
  ...FormatQuery,
  ...PageQuery
})

export const ClusterGap = z.object({
  id: z.uuid(),
  unitId: z.uuid(),
  unitCodePath: z.string(),
  kind: z.string(),
  code: z.string(),
  name: z.string(),
  boothCount: z.number().int(),
  holders: z.number().int(),
  seats: z.number().int()
}).meta({ id: 'ClusterGap' })

export const ClusterGapPage = pageOf(ClusterGap).extend({ role: z.string(), wing: z.string() }).meta({ id: 'ClusterGapPage' })

export const ClusterCoverageQuery = CoverageQuery.omit({ level: true, by: true, limit: true }).extend({
  kind: ClusterKindCode.default('sector').describe('Which clusters (default sector)'),
  limit: PageQuery.limit
})

export const ClusterCoverageRow = z.object({
  clusterId: z.uuid(),
  unitId: z.uuid(),
  unitCodePath: z.string(),
  kind: z.string(),
  code: z.string(),
  name: z.string(),
  requiredPosts: z.number().int().describe('The kind\'s required posts in the wing (e.g. sector_incharge)'),
  filledPosts: z.number().int().describe('Of those, how many are filled: fewer than requiredPosts is a gap (GET /v1/units/{id}/cluster-gaps)'),
  ...CoverageFigures
}).describe('A cluster, its posts, and the coverage figures of its booths').meta({ id: 'ClusterCoverageRow' })

export const ClusterCoverageReport = pageOf(ClusterCoverageRow).extend({ wing: z.string(), role: z.string(), kind: z.string() }).meta({ id: 'ClusterCoverageReport' })
