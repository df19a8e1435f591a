import neostandard from 'neostandard'

export default [
  ...neostandard({ ts: true, ignores: ['dist/**', 'web/dist/**', 'data/**', '.tap/**', 'coverage/**', 'migrations/**', 'openapi/**', 'clients/typescript/schema.d.ts'] })
]
