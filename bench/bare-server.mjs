// The baseline of `npm run bench -- reads`: the least a server can do for GET /v1/units/:id
// over the same database, Fastify and pg with a pool of the same size, and nothing else (no
// key, no validation, no logging, no ETag). Plain JavaScript, run with node.
import Fastify from 'fastify'
import pg from 'pg'

const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: Number(process.env.DB_POOL_MAX ?? 10) })
const app = Fastify({ logger: false })
app.get('/v1/units/:id', async (request, reply) => {
  const { rows } = await pool.query('SELECT * FROM units WHERE id = $1', [request.params.id])
  if (rows.length === 0) return reply.code(404).send({ status: 404 })
  return rows[0]
})
await app.listen({ port: Number(process.env.PORT), host: '127.0.0.1' })
