import 'uplot/dist/uPlot.min.css'
import { useEffect, useRef } from 'preact/hooks'
import UPlot from 'uplot'
import { allChildren, api, ok, type Schemas, type Unit } from '../api.js'
import { Await, formatPercent, useLoad } from '../common.js'

type TrendRow = Schemas['TrendRow']
const PALETTE = ['#1b1b1f', '#b3261e', '#0b4fc1', '#8a5300', '#1d6b34', '#6a1b9a', '#00695c', '#ad1457', '#37474f']
const LINES = 8

/** President coverage of the unit and its children on each of the last 12 weeks. */
export function Trend ({ unit, wing }: { unit: Unit, wing: string }) {
  const loaded = useLoad(() => allChildren(page => ok(api().GET('/v1/units/{id}/coverage/trend', { params: { path: { id: unit.id }, query: { wing, role: 'president', weeks: 12, ...page } } }))), [unit.id, wing])
  return (
    <section aria-labelledby='trend-title'>
      <h2 id='trend-title'>Booth president coverage, last 12 weeks</h2>
      <Await loaded={loaded}>{(trend) => {
        const last = trend.days.length - 1
        const worst = [...trend.children].sort((a, b) => a.coverage[last] - b.coverage[last] || a.codePath.localeCompare(b.codePath))
        return (
          <>
            <Chart days={trend.days} rows={[trend.unit, ...worst.slice(0, LINES)]} />
            <p class='hint'>The unit itself in black{worst.length > 0 ? `, and the ${Math.min(LINES, worst.length)} children furthest behind today` : ''}; over today's tree.</p>
            <div class='table-wrap'>
              <table class='trend'>
                <thead><tr><th scope='col'>Unit</th><th scope='col'>{trend.days[0]}</th><th scope='col'>{trend.days[last]}</th><th scope='col'>Change</th></tr></thead>
                <tbody>
                  {[trend.unit, ...worst].map((r, i) => (
                    <tr key={r.unitId}>
                      <th scope='row'>{i === 0 ? r.name : <a href={`/units/${r.unitId}/trend${wing === 'main' ? '' : `?wing=${wing}`}`}>{r.name}</a>}</th>
                      <td class='num'>{formatPercent(r.coverage[0])}</td>
                      <td class='num'>{formatPercent(r.coverage[last])}</td>
                      <td class='num'>{change(r, last)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </>
        )
      }}
      </Await>
    </section>
  )
}

function change (r: TrendRow, last: number): string {
  const points = Math.round((r.coverage[last] - r.coverage[0]) * 1000) / 10
  return `${points > 0 ? '+' : ''}${points} pts`
}

function Chart ({ days, rows }: { days: string[], rows: TrendRow[] }) {
  const box = useRef<HTMLDivElement>(null)
  useEffect(() => {
    const el = box.current
    if (!el) return
    const xs = days.map(d => Date.parse(`${d}T00:00:00Z`) / 1000)
    const data: UPlot.AlignedData = [xs, ...rows.map(r => r.coverage.map(c => Math.round(c * 1000) / 10))]
    const width = Math.max(300, Math.min(el.clientWidth || 800, 1000))
    const plot = new UPlot({
      width,
      height: width < 500 ? 220 : 300,
      tzDate: ts => UPlot.tzDate(new Date(ts * 1000), 'UTC'),
      scales: { y: { range: [0, 100] } },
      axes: [{}, { values: (_u, ticks) => ticks.map(t => `${t}%`) }],
      series: [
        { label: 'Week' },
        ...rows.map((r, i) => ({ label: r.name, stroke: PALETTE[i % PALETTE.length], width: i === 0 ? 3 : 1.5, value: (_u: UPlot, v: number | null) => v === null ? '–' : `${v}%` }))
      ]
    }, data, el)
    return () => plot.destroy()
  }, [days, rows])
  return <div class='chart' ref={box} role='img' aria-label={`Line chart of booth president coverage from ${days[0]} to ${days[days.length - 1]}; the table below gives the figures.`} />
}
