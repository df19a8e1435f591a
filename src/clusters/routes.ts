import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { notFound } from '../errors.js'
import { FIGURES_CSV } from '../coverage/routes.js'
import { inBatches } from '../db/keyset.js'
import { jsonOrCsv, mapRows, sendCsvBatches, sendCsvRows, wantsCsv, type CsvColumn } from '../http/csv.js'
import { ifMatch, setEtag } from '../http/etag.js'
import { text } from '../http/fields.js'
import { withHeaders } from '../http/openapi.js'
import { decodeCursor, PageQuery, toPage } from '../http/pagination.js'
import { problemResponses } from '../http/problem.js'
import { findUnit } from '../units/queries.js'
import { MAIN_WING } from '../wings/schemas.js'
import { addClusterBooths, createCluster, createClusterKind, deleteCluster, removeClusterBooth, updateCluster } from './changes.js'
import { allClusterGaps, clusterGapsReport } from './gaps.js'
import { clusterCoveragePage, clusterCoverageQuestion, toClusterCoverageRow, type ClusterCoverageSqlRow } from './coverage.js'
import { clusterKey, findCluster, listClusterBooths, listClusterKinds, listClusters, toCluster, toClusterBooth, toClusterGap, toClusterKind, type ClusterGapRow } from './queries.js'
import {
  ClusterBoothPage, ClusterBoothParams, ClusterBoothsBody, ClusterCoverageQuery, ClusterCoverageReport, ClusterGapPage, ClusterGapsQuery, ClusterIdParams, ClusterKindList, ClusterKindSchema,
  ClusterPage, ClusterSchema, CreateClusterBody, CreateClusterKindBody, ListClustersQuery, UpdateClusterBody
} from './schemas.js'

const tags = ['clusters']
const ClusterCursor = z.tuple([z.string().max(300), z.string().max(40)])

const CLUSTER_GAP_CSV: ReadonlyArray<CsvColumn<ClusterGapRow>> = [
  ['unit_code_path', r => r.unit_code_path],
  ['kind', r => r.kind],
  ['code', r => r.code],
  ['name', r => r.name],
  ['booths', r => r.booth_count],
  ['holders', r => r.holders],
  ['seats', r => r.seats],
  ['cluster_id', r => r.id]
]

const CLUSTER_COVERAGE_CSV: ReadonlyArray<CsvColumn<ReturnType<typeof toClusterCoverageRow>>> = [
  ['unit_code_path', r => r.unitCodePath],
  ['kind', r => r.kind],
  ['code', r => r.code],
  ['name', r => r.name],
  ['required_posts', r => r.requiredPosts],
  ['filled_posts', r => r.filledPosts],
  ...FIGURES_CSV,
  ['cluster_id', r => r.clusterId]
]

/** /v1/cluster-kinds and /v1/clusters: booth clusters (sector, zone, shakti kendra) over the tree's booths (src/clusters). */
export const clusterRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get('/cluster-kinds', {
    schema: { operationId: 'listClusterKinds', tags, summary: 'The kinds of booth cluster (sector, zone, shakti kendra, ...)', response: { 200: ClusterKindList } }
  }, async () => ({ items: (await listClusterKinds(app.db)).map(toClusterKind), nextCursor: null }))

  app.post('/cluster-kinds', {
    config: { permission: 'manage_catalogue' },
    schema: { operationId: 'createClusterKind', tags, summary: 'Add a kind of booth cluster (global admins)', body: CreateClusterKindBody, response: { 201: ClusterKindSchema, ...problemResponses(400, 409, 422) } }
  }, async (request, reply) => reply.code(201).send(toClusterKind(await createClusterKind(app.db, request.actor, request.body))))

  app.post('/clusters', {
    schema: {
      operationId: 'createCluster',
      tags,
      summary: 'Create a booth cluster under a ward or block, optionally with its booths',
      body: CreateClusterBody,
      response: { 201: withHeaders(ClusterSchema, 'ETag'), ...problemResponses(400, 403, 409, 422) }
    }
  }, async (request, reply) => {
    const row = await createCluster(app.db, request.actor, request.body)
    setEtag(reply, row.version)
    reply.header('location', `/v1/clusters/${row.id}`)
    return reply.code(201).send(toCluster(row))
  })

  app.get('/clusters', {
    schema: { operationId: 'listClusters', tags, summary: 'Booth clusters in your scope, by unit code path and code', querystring: ListClustersQuery, response: { 200: ClusterPage, ...problemResponses(400) } }
  }, async (request) => {
    const { unitId, kind, parentId, q, limit, cursor } = request.query
    const unit = unitId === undefined ? undefined : await findUnit(request.readDb, request.actor, unitId)
    if (unitId !== undefined && !unit) return { items: [], nextCursor: null }
    const found = await listClusters(request.readDb, request.actor, { under: unit?.codePath, kind, parentId, q, after: decodeCursor(cursor, ClusterCursor), limit })
    return toPage(found, limit, toCluster, clusterKey)
  })

  app.get('/clusters/:id', {
    schema: { operationId: 'getCluster', tags, summary: 'One booth cluster', params: ClusterIdParams, response: { 200: withHeaders(ClusterSchema, 'ETag'), ...problemResponses(400, 404) } }
  }, async (request, reply) => {
    const row = await findCluster(app.db, request.actor, request.params.id)
    if (!row) throw notFound('cluster')
    setEtag(reply, row.version)
    return toCluster(row)
  })

  app.patch('/clusters/:id', {
    schema: {
      operationId: 'updateCluster',
      tags,
      summary: 'Rename a cluster or change the cluster that groups it (If-Match honoured)',
      params: ClusterIdParams,
      body: UpdateClusterBody,
      response: { 200: withHeaders(ClusterSchema, 'ETag'), ...problemResponses(400, 403, 404, 412, 422) }
    }
  }, async (request, reply) => {
    const row = await updateCluster(app.db, request.actor, request.params.id, request.body, ifMatch(request))
    setEtag(reply, row.version)
    return toCluster(row)
  })

  app.delete('/clusters/:id', {
    schema: {
      operationId: 'deleteCluster',
      tags,
      summary: 'Delete a cluster with no office-bearers; its booths leave it (If-Match honoured)',
      params: ClusterIdParams,
      response: { 204: z.undefined(), ...problemResponses(400, 403, 404, 409, 412) }
    }
  }, async (request, reply) => {
    await deleteCluster(app.db, request.actor, request.params.id, ifMatch(request))
    return reply.code(204).send()
  })

  app.get('/clusters/:id/booths', {
    schema: {
      operationId: 'listClusterBooths',
      tags,
      summary: 'A cluster\'s booths (its members\' booths for a cluster that groups clusters), in code-path order',
      params: ClusterIdParams,
      querystring: z.object(PageQuery),
      response: { 200: ClusterBoothPage, ...problemResponses(400, 404) }
    }
  }, async (request) => {
    const cluster = await findCluster(request.readDb, request.actor, request.params.id)
    if (!cluster) throw notFound('cluster')
    const { limit, cursor } = request.query
    const found = await listClusterBooths(request.readDb, cluster.id, { after: decodeCursor(cursor, text(300)), limit })
    return toPage(found, limit, toClusterBooth, r => r.code_path)
  })

  app.post('/clusters/:id/booths', {
    schema: {
      operationId: 'addClusterBooths',
      tags,
      summary: 'Put booths in a cluster (all or none): each under its unit, in no other cluster of its kind',
      params: ClusterIdParams,
      body: ClusterBoothsBody,
      response: { 200: withHeaders(ClusterSchema, 'ETag'), ...problemResponses(400, 403, 404, 409, 422) }
    }
  }, async (request, reply) => {
    const row = await addClusterBooths(app.db, request.actor, request.params.id, request.body.boothIds)
    setEtag(reply, row.version)
    return toCluster(row)
  })

  app.delete('/clusters/:id/booths/:boothId', {
    schema: { operationId: 'removeClusterBooth', tags, summary: 'Take a booth out of a cluster', params: ClusterBoothParams, response: { 204: z.undefined(), ...problemResponses(400, 403, 404) } }
  }, async (request, reply) => {
    await removeClusterBooth(app.db, request.actor, request.params.id, request.params.boothId)
    return reply.code(204).send()
  })

  app.get('/units/:id/cluster-coverage', {
    schema: {
      operationId: 'unitClusterCoverage',
      tags,
      summary: 'Each cluster of a kind under the unit: its required posts filled, and the coverage of a booth-level role over its booths; JSON pages or CSV',
      params: ClusterIdParams,
      querystring: ClusterCoverageQuery,
      response: { 200: jsonOrCsv(ClusterCoverageReport), ...problemResponses(400, 404, 422) }
    }
  }, async (request, reply) => {
    const { kind, cursor, format, limit, ...p } = request.query
    const { unit, role } = await clusterCoverageQuestion(request.readDb, request.actor, request.params.id, { kind, wing: p.wing, role: p.role })
    if (wantsCsv(request, format)) {
      const all = inBatches<ClusterCoverageSqlRow, [string, string]>((after, n) => clusterCoveragePage(request.readDb, unit, role, kind, p, { after, limit: n + 1 }), clusterKey, 2000)
      return sendCsvRows(reply, `cluster-coverage-${kind}-${role.wing === MAIN_WING ? '' : `${role.wing}-`}${role.code}-${unit.codePath}.csv`, CLUSTER_COVERAGE_CSV, mapRows(all, toClusterCoverageRow))
    }
    const found = await clusterCoveragePage(request.readDb, unit, role, kind, p, { after: decodeCursor(cursor, ClusterCursor), limit: limit + 1 })
    return { wing: role.wing, role: role.code, kind, ...toPage(found, limit, toClusterCoverageRow, clusterKey) }
  })

  app.get('/units/:id/cluster-gaps', {
    schema: {
      operationId: 'unitClusterGaps',
      tags,
      summary: 'Clusters of a kind under the unit whose post (default: the kind\'s first required one, e.g. sector_incharge) is not filled; JSON pages or CSV',
      params: ClusterIdParams,
      querystring: ClusterGapsQuery,
      response: { 200: jsonOrCsv(ClusterGapPage), ...problemResponses(400, 404, 422) }
    }
  }, async (request, reply) => {
    const { kind, wing, role, limit, cursor, format } = request.query
    if (wantsCsv(request, format)) {
      const found = await allClusterGaps(request.readDb, request.actor, request.params.id, { kind, wing, role })
      return sendCsvBatches(reply, `cluster-gaps-${wing === MAIN_WING ? '' : `${wing}-`}${found.role.code}-${found.unit.codePath}.csv`, CLUSTER_GAP_CSV, found.batches)
    }
    const found = await clusterGapsReport(request.readDb, request.actor, request.params.id, { kind, wing, role, after: decodeCursor(cursor, ClusterCursor), limit })
    return { wing: found.role.wing, role: found.role.code, ...toPage(found.rows, limit, toClusterGap, clusterKey) }
  })
}
