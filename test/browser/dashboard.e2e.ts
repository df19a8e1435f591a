/// <reference lib="dom" />
// The dashboard in a real browser: Debian's Chromium driven by playwright-core, against the
// app listening on a loopback port over the demo organisation. Run once (npm run
// test:browser), not once per database: it tests the page, and the API has its own suite.
// With SCREENSHOT_DIR set, it writes a screenshot of each main view there (docs/screenshots).
import { mkdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import t, { type Test } from 'tap'
import type { Page } from 'playwright-core'
import { PRESETS } from '../../src/seed/plan.js'
import { seedDatabase } from '../../src/seed/load.js'
import { SeedProgress } from '../../src/seed/progress.js'
import { indiaToday } from '../../src/time.js'
import { ADMIN_KEY, buildTestApp, call, mintKey } from '../helpers/app.js'
import { launchChromium } from './chromium.js'

const { app } = await buildTestApp(t, { RATE_LIMIT_MAX: '100000' })
await seedDatabase(app.database, { preset: PRESETS.demo, seed: 1, today: indiaToday() }, new SeedProgress(process.stderr, 300))
const base = await app.listen({ port: 0, host: '127.0.0.1' })
const browser = await launchChromium()
t.teardown(() => browser.close())

const shots = process.env.SCREENSHOT_DIR
if (shots) mkdirSync(shots, { recursive: true })
async function screenshot (page: Page, name: string) {
  if (shots) await page.screenshot({ path: join(shots, `${name}.png`), fullPage: true })
}

const api = async (url: string, key = ADMIN_KEY) => (await call(app, { method: 'GET', url }, key)).json
const state = (await api('/v1/units?level=state')).items[0]
const coverage = await api(`/v1/units/${state.id}/coverage`)
type Row = { unitId: string, code: string, name: string, coverage: number, codePath: string }
const worstFirst = [...coverage.children as Row[]].sort((a, b) => a.coverage - b.coverage || a.codePath.localeCompare(b.codePath))

/** A fresh tab (its own sessionStorage) that fails the test on any CSP violation or page error. */
async function newPage (t: Test, viewport = { width: 1200, height: 900 }) {
  const context = await browser.newContext({ viewport, acceptDownloads: true })
  t.teardown(() => context.close())
  const page = await context.newPage()
  page.on('pageerror', (err) => t.fail(`page error: ${err.message}`))
  page.on('console', (msg) => { if (/Content.Security.Policy/i.test(msg.text())) t.fail(`CSP: ${msg.text()}`) })
  return page
}

async function signIn (page: Page, key: string, path = '/') {
  await page.goto(base + path)
  await page.getByLabel('API key').fill(key)
  await page.getByRole('button', { name: 'Sign in' }).click()
}

const rowCodes = (page: Page) => page.locator('table.coverage tbody tr').evaluateAll(rows => rows.map(r => r.getAttribute('data-code')))

t.test('the page: served at / and at its deep links with a strict CSP, not for /v1', async (t) => {
  for (const path of ['/', `/units/${state.id}`, `/units/${state.id}/gaps`, '/search']) {
    const res = await fetch(base + path)
    t.equal(res.status, 200, path)
    t.match(res.headers.get('content-type'), /text\/html/)
    const csp = res.headers.get('content-security-policy') ?? ''
    t.match(csp, /script-src 'self'(;|$)/, 'scripts only from the service')
    t.notMatch(csp, /unsafe-inline|unsafe-eval|https?:/, 'no inline script, no other origin')
    t.notMatch(await res.text(), /<script>|<script(?![^>]*\bsrc=)[^>]*>/, 'no inline script in the page')
  }
  const v1 = await fetch(`${base}/v1/units/${state.id}`)
  t.equal(v1.status, 401, '/v1 is the API, never the page')
  t.equal((await fetch(`${base}/health/live`)).headers.get('content-type')?.startsWith('application/json'), true)
})

t.test('sign in: the key is kept in the tab only, the worst district comes first', async (t) => {
  const page = await newPage(t)
  await signIn(page, ADMIN_KEY)
  await page.waitForSelector('table.coverage tbody tr')
  t.match(await page.getByTestId('who').innerText(), /admin · all states/)
  t.equal(new URL(page.url()).pathname, `/units/${state.id}`, 'straight into the only state')
  t.same(await rowCodes(page), worstFirst.map(r => r.code), 'worst president coverage first')
  const storage = await page.evaluate(() => ({ local: JSON.stringify(localStorage), session: Object.keys(sessionStorage) }))
  t.equal(storage.local, '{}', 'nothing in localStorage')
  t.same(storage.session, ['sangathan.key'])
  t.notMatch(page.url(), /sg_/, 'no key in the URL')
  // The state's Hindi name is on screen: the shipped Devanagari font is what draws it.
  const fontLoaded = await page.evaluate(async () => {
    await document.fonts.ready
    return [...document.fonts].some(f => /Noto Sans Devanagari/.test(f.family) && f.status === 'loaded')
  })
  t.ok(fontLoaded, 'Noto Sans Devanagari loaded from the service')
  await screenshot(page, 'coverage')
  await page.reload()
  await page.waitForSelector('table.coverage tbody tr')
  t.pass('a reload in the same tab stays signed in')
  await page.getByRole('button', { name: 'Sign out' }).click()
  await page.getByLabel('API key').waitFor()
  t.same(await page.evaluate(() => Object.keys(sessionStorage)), [], 'signed out: the key is gone')
})

t.test('sort by any column; the URL keeps it', async (t) => {
  const page = await newPage(t)
  await signIn(page, ADMIN_KEY)
  await page.waitForSelector('table.coverage tbody tr')
  await page.getByRole('button', { name: /Booth presidents/ }).click()
  await page.waitForURL(/dir=desc/)
  t.same(await rowCodes(page), [...worstFirst].reverse().map(r => r.code), 'best first')
  await page.getByRole('button', { name: /^Unit/ }).click()
  await page.waitForURL(/sort=name/)
  t.same(await rowCodes(page), [...worstFirst].sort((a, b) => a.name.localeCompare(b.name)).map(r => r.code), 'by name')
  const link = page.url()
  const other = await newPage(t)
  await signIn(other, ADMIN_KEY, new URL(link).pathname + new URL(link).search)
  await other.waitForSelector('table.coverage tbody tr')
  t.same(await rowCodes(other), [...worstFirst].sort((a, b) => a.name.localeCompare(b.name)).map(r => r.code), 'a shared link opens sorted the same way')
})

t.test('the social media duty beside coverage: presidents on every platform, per child', async (t) => {
  const duty = await api(`/v1/units/${state.id}/social-media?role=president`)
  type DutyRow = { code: string, codePath: string, bound: number, compliant: number, share: number }
  const children = duty.children as DutyRow[]
  const page = await newPage(t)
  await signIn(page, ADMIN_KEY)
  await page.waitForSelector('table.coverage tbody tr')
  await page.getByRole('button', { name: /Presidents on every platform/ }).click()
  await page.waitForURL(/sort=duty/)
  t.same(await rowCodes(page), [...children].sort((a, b) => a.share - b.share || a.codePath.localeCompare(b.codePath)).map(r => r.code), 'worst first')
  const best = [...children].sort((a, b) => b.share - a.share)[0]
  t.ok(best.compliant > 0, `a district ran a social media drive (${best.code}: ${best.compliant}/${best.bound})`)
  t.match(await page.locator(`tr[data-code="${best.code}"] td`).last().textContent(), `${best.compliant}/${best.bound}`, 'its cell shows compliant of bound')
})

t.test('drill down from the state to a booth and its office-bearers; breadcrumb back up', async (t) => {
  const page = await newPage(t)
  await signIn(page, ADMIN_KEY)
  const path: string[] = []
  for (const level of ['district', 'block', 'ward', 'booth']) {
    await page.waitForSelector('table.coverage tbody tr')
    // Worst first all the way down, but into a booth that has a president (the last row).
    const rowsHere = page.locator('table.coverage tbody tr')
    const first = level === 'booth' ? rowsHere.last() : rowsHere.first()
    path.push((await first.getAttribute('data-code'))!)
    await first.getByRole('link').first().click()
    await page.waitForFunction((code) => document.querySelector('.unit-header .code')?.textContent?.endsWith(code), path[path.length - 1])
    t.equal((await page.locator('.unit-header .code').innerText()).split('/').length, path.length + 1, `at a ${level}`)
    if (level === 'district') await screenshot(page, 'district')
  }
  t.equal(await page.locator('.unit-header .code').innerText(), [state.code, ...path].join('/'))
  await page.getByRole('heading', { name: /Office-bearers at/ }).waitFor()
  await page.getByRole('heading', { name: 'History' }).waitFor()
  const booth = await api(`/v1/units/lookup?path=${[state.code, ...path].join('/')}`)
  const bearers = await api(`/v1/units/${booth.id}/office-bearers`)
  await page.locator('section table').first().or(page.getByText('Nobody holds office here now.')).waitFor()
  const names = await page.locator('section table').first().locator('tbody tr td:nth-child(2)').allInnerTexts().catch(() => [])
  t.same(names.sort(), bearers.items.map((o: { person: { name: string } }) => o.person.name).sort(), 'the booth\'s office-bearers')
  t.ok(names.length > 0, 'a booth with office-bearers')
  await page.locator('table.history tbody tr').first().waitFor()
  t.ok(await page.locator('table.history tbody tr').count() >= names.length, 'their terms in the history')
  await screenshot(page, 'booth')
  await page.getByRole('navigation', { name: 'Breadcrumb' }).getByRole('link').nth(2).click()
  await page.waitForFunction((code) => document.querySelector('.unit-header .code')?.textContent === code, `${state.code}/${path[0]}`)
  t.pass('the breadcrumb goes back up to the district')
  await page.goBack()
  await page.waitForFunction((code) => document.querySelector('.unit-header .code')?.textContent?.endsWith(code), path[3])
  t.pass('the browser\'s back button returns to the booth')
})

t.test('gaps: paged, and the CSV download holds the same rows as the API', async (t) => {
  const district = worstFirst[0]
  const page = await newPage(t)
  await signIn(page, ADMIN_KEY)
  // From the first screen, the district furthest behind is on top: its gaps in two clicks.
  await page.locator('table.coverage tbody tr').first().getByRole('link', { name: `Gaps in ${district.name}` }).click()
  await page.waitForSelector('table.gaps tbody tr')
  const apiFirst = await api(`/v1/units/${district.unitId}/gaps?role=president&limit=50`)
  t.same(await page.locator('table.gaps tbody td.code').allInnerTexts(), apiFirst.items.map((g: { codePath: string }) => g.codePath), 'the first page')
  await screenshot(page, 'gaps')
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download CSV' }).click()])
  const file = readFileSync((await download.path())!, 'utf8')
  t.match(download.suggestedFilename(), /^gaps-president-.*\.csv$/)
  const lines = file.replace(/^\uFEFF/, '').trim().split(/\r?\n/)
  t.equal(lines[0].split(',')[0], 'code_path')
  const all: string[] = []
  let cursor: string | null = null
  do {
    const p: { items: Array<{ codePath: string }>, nextCursor: string | null } = await api(`/v1/units/${district.unitId}/gaps?role=president&limit=500${cursor ? `&cursor=${cursor}` : ''}`)
    all.push(...p.items.map(g => g.codePath))
    cursor = p.nextCursor
  } while (cursor)
  t.same(lines.slice(1).map(l => l.split(',')[0]), all, 'every gap, in order')
  t.ok(all.length > 50, 'more than one page')
  const nextUrl = page.url()
  await page.getByRole('button', { name: 'Next page' }).click()
  await page.waitForURL(/cursor=/)
  t.not(page.url(), nextUrl)
  t.equal(await page.locator('table.gaps tbody td.code').first().innerText(), all[50], 'page two starts at the 51st gap')
})

t.test('vacancies and office-bearers without handles', async (t) => {
  const district = worstFirst[0]
  const page = await newPage(t)
  await signIn(page, ADMIN_KEY, `/units/${district.unitId}/vacancies`)
  const report = await api(`/v1/units/${district.unitId}/vacancies`)
  await page.locator('.group').first().waitFor()
  t.equal(await page.locator('.group').count(), report.items.length, 'a card per level and role')
  await screenshot(page, 'vacancies')
  await page.getByRole('link', { name: 'Without handles' }).click()
  await page.getByRole('heading', { name: /without a social media handle/ }).waitFor()
  const without = await api(`/v1/units/${district.unitId}/office-bearers/without-handles`)
  await page.locator('section table tbody tr').first().waitFor()
  t.equal(await page.locator('section table tbody tr').count(), without.items.length)
})

t.test('trend: a line chart of 12 weeks and its figures, as the API gives them', async (t) => {
  const page = await newPage(t)
  await signIn(page, ADMIN_KEY, `/units/${state.id}/trend`)
  await page.waitForSelector('table.trend tbody tr')
  t.ok(await page.locator('.chart canvas').count() > 0, 'a chart is drawn')
  const trend = await api(`/v1/units/${state.id}/coverage/trend`)
  const today = await page.locator('table.trend tbody tr').first().locator('td').nth(1).innerText()
  t.equal(today, `${Math.round(trend.unit.coverage[11] * 1000) / 10}%`)
  t.equal(await page.locator('table.trend tbody tr').count(), 1 + trend.children.length)
  await screenshot(page, 'trend')
})

t.test('a scoped, masked reader: its scope, its limits, a refusal shown as the problem says', async (t) => {
  const district = worstFirst[0]
  const reader = await mintKey(app, 'reader', district.unitId, { maskPersonalData: true })
  const page = await newPage(t)
  await signIn(page, reader)
  await page.waitForSelector('table.coverage tbody tr')
  const who = await page.getByTestId('who').innerText()
  t.match(who, /reader/)
  t.match(who, new RegExp(district.codePath))
  t.match(who, /personal data masked/)
  t.equal(new URL(page.url()).pathname, `/units/${district.unitId}`, 'home is the key\'s own district')
  t.same(await page.getByRole('navigation', { name: 'Breadcrumb' }).getByRole('link').allInnerTexts(), ['Home'], 'nothing above its scope')
  await page.getByRole('link', { name: 'Without handles' }).click()
  await page.locator('section table tbody tr').first().waitFor()
  const phones = await page.locator('section table tbody td:nth-child(4)').allInnerTexts()
  t.ok(phones.filter(p => p !== '–').every(p => /\*{4,}/.test(p)), 'phones are masked')
  // Another district is outside the key's scope: the API says 404, and the page says why.
  await page.goto(`${base}/units/${worstFirst[1].unitId}`)
  const problem = page.getByRole('alert')
  await problem.waitFor()
  const refusal = await api(`/v1/units/${worstFirst[1].unitId}`, reader)
  t.equal(refusal.status, 404)
  t.same((await problem.innerText()).split(/\n+/), [refusal.title, refusal.detail], 'the problem\'s title and detail')
  await screenshot(page, 'refusal')
})

t.test('a wrong key is refused at sign-in; a revoked key returns to sign-in', async (t) => {
  const page = await newPage(t)
  await signIn(page, 'sg_this_is_not_a_key_at_all_0000000000')
  await page.getByRole('alert').waitFor()
  t.match(await page.getByRole('alert').innerText(), /not recognised/)
  t.same(await page.evaluate(() => Object.keys(sessionStorage)), [], 'a refused key is not kept')

  const editor = await mintKey(app, 'editor', state.id)
  await page.getByLabel('API key').fill(editor)
  await page.getByRole('button', { name: 'Sign in' }).click()
  await page.waitForSelector('table.coverage tbody tr')
  const me = await api('/v1/me', editor)
  t.equal((await call(app, { method: 'DELETE', url: `/v1/api-keys/${me.keyId}` })).status, 204)
  await page.locator('table.coverage tbody tr').first().getByRole('link').first().click()
  await page.getByLabel('API key').waitFor()
  t.match(await page.getByRole('alert').innerText(), /revoked/)
  t.same(await page.evaluate(() => Object.keys(sessionStorage)), [], 'the revoked key is forgotten')
})

t.test('search: units by local name or code path, people by name', async (t) => {
  const page = await newPage(t)
  await signIn(page, ADMIN_KEY)
  await page.waitForSelector('table.coverage tbody tr')
  const box = page.getByRole('searchbox', { name: 'Search units and people' })
  await box.fill(state.localName ?? state.code)
  await box.press('Enter')
  await page.waitForURL(/\/search\?q=/)
  await page.getByRole('heading', { name: 'Units' }).waitFor()
  await page.locator('.results li').first().waitFor()
  t.match(await page.locator('.results ul').first().innerText(), new RegExp(state.name))
  const person = (await api('/v1/people?limit=1')).items[0]
  await page.goto(`${base}/search?q=${encodeURIComponent(person.name)}`)
  await page.getByText(person.name).first().waitFor()
  t.pass('a person by name')
  await screenshot(page, 'search')
})

t.test('a 360 px phone: the coverage reads as cards, nothing wider than the screen', async (t) => {
  const page = await newPage(t, { width: 360, height: 740 })
  await signIn(page, ADMIN_KEY)
  await page.waitForSelector('table.coverage tbody tr')
  const width = await page.evaluate(() => document.documentElement.scrollWidth)
  t.ok(width <= 360, `page width ${width} px`)
  const display = await page.locator('table.coverage tbody tr').first().evaluate(el => getComputedStyle(el).display)
  t.equal(display, 'block', 'one card per unit')
  await screenshot(page, 'phone')
})

t.test('keyboard: tab to a unit and open it with Enter', async (t) => {
  const page = await newPage(t)
  await signIn(page, ADMIN_KEY)
  await page.waitForSelector('table.coverage tbody tr')
  const target = page.locator('table.coverage tbody tr').first().getByRole('link').first()
  let focused = ''
  for (let i = 0; i < 40 && focused !== worstFirst[0].name; i++) {
    await page.keyboard.press('Tab')
    focused = await page.evaluate(() => (document.activeElement as HTMLElement | null)?.innerText ?? '')
  }
  t.equal(focused, await target.innerText(), 'reached by Tab')
  await page.keyboard.press('Enter')
  await page.waitForURL(new RegExp(worstFirst[0].unitId))
  t.pass('Enter opens it')
})

// Last: it adds a second state, which the tests above do not expect.
t.test('a unit with more children than the API\'s default page of 50 shows them all', async (t) => {
  const wide = (await call(app, { method: 'POST', url: '/v1/units', payload: { level: 'state', code: 'WD', name: 'Wide State' } })).json
  const codes: string[] = []
  for (let i = 1; i <= 60; i++) {
    const code = `D${String(i).padStart(2, '0')}`
    const res = await call(app, { method: 'POST', url: '/v1/units', payload: { level: 'district', parentId: wide.id, code, name: `District ${code}` } })
    t.equal(res.status, 201)
    codes.push(code)
  }
  const page = await newPage(t)
  await signIn(page, ADMIN_KEY, `/units/${wide.id}?sort=name`)
  await page.waitForSelector('table.coverage tbody tr')
  t.same(await rowCodes(page), codes, 'all 60 districts, not the first 50')
})
