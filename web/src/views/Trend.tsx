import type { Unit } from '../api.js'

/** President coverage over the last weeks (the trend API comes in a later step). */
export function Trend ({ unit }: { unit: Unit, wing: string }) {
  return <section><h2>Trend</h2><p>The trend of {unit.name} is not available yet.</p></section>
}
