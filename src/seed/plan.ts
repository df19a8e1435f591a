/**
 * The shape of each preset: which states, how many districts, assembly constituencies
 * and booths. State figures are approximate 2024 numbers (polling stations per state
 * sum to about 10.5 lakh); only the scale matters, the places themselves are invented.
 */

/** Decides the surname and place-name flavour of a state's people and places. */
export type Region = 'north' | 'central' | 'west' | 'east' | 'south' | 'northeast'

export interface StatePlan {
  /** Two letters: also the first two letters of every EPIC number in the state, which keeps them unique across states. */
  code: string
  name: string
  localName: string
  region: Region
  districts: number
  constituencies: number
  booths: number
}

export interface TreeShape {
  /** Target booths under one block (UP: about 162,000 booths in 826 blocks). */
  boothsPerBlock: number
  /** Target booths under one ward or panchayat. */
  boothsPerWard: number
}

export interface Preset {
  name: PresetName
  description: string
  states: StatePlan[]
  shape: TreeShape
}

const REAL_SHAPE: TreeShape = { boothsPerBlock: 190, boothsPerWard: 16 }

// code, name, Hindi name, region, districts, assembly constituencies, polling stations
const STATES: ReadonlyArray<readonly [string, string, string, Region, number, number, number]> = [
  ['UP', 'Uttar Pradesh', 'उत्तर प्रदेश', 'north', 75, 403, 162069],
  ['MH', 'Maharashtra', 'महाराष्ट्र', 'west', 36, 288, 98140],
  ['WB', 'West Bengal', 'पश्चिम बंगाल', 'east', 23, 294, 80530],
  ['BR', 'Bihar', 'बिहार', 'north', 38, 243, 77557],
  ['TN', 'Tamil Nadu', 'तमिलनाडु', 'south', 38, 234, 68321],
  ['MP', 'Madhya Pradesh', 'मध्य प्रदेश', 'central', 55, 230, 64523],
  ['KA', 'Karnataka', 'कर्नाटक', 'south', 31, 224, 58834],
  ['RJ', 'Rajasthan', 'राजस्थान', 'north', 41, 200, 53819],
  ['GJ', 'Gujarat', 'गुजरात', 'west', 33, 182, 50960],
  ['AP', 'Andhra Pradesh', 'आंध्र प्रदेश', 'south', 26, 175, 46389],
  ['OD', 'Odisha', 'ओडिशा', 'east', 30, 147, 37809],
  ['TG', 'Telangana', 'तेलंगाना', 'south', 33, 119, 35809],
  ['JH', 'Jharkhand', 'झारखंड', 'east', 24, 81, 29562],
  ['KL', 'Kerala', 'केरल', 'south', 14, 140, 25231],
  ['AS', 'Assam', 'असम', 'northeast', 35, 126, 24508],
  ['PB', 'Punjab', 'पंजाब', 'north', 23, 117, 24451],
  ['CG', 'Chhattisgarh', 'छत्तीसगढ़', 'central', 33, 90, 24229],
  ['HR', 'Haryana', 'हरियाणा', 'north', 22, 90, 20629],
  ['DL', 'Delhi', 'दिल्ली', 'north', 11, 70, 13637],
  ['JK', 'Jammu and Kashmir', 'जम्मू और कश्मीर', 'north', 20, 90, 11838],
  ['UK', 'Uttarakhand', 'उत्तराखंड', 'north', 13, 70, 11729],
  ['HP', 'Himachal Pradesh', 'हिमाचल प्रदेश', 'north', 12, 68, 7990],
  ['ML', 'Meghalaya', 'मेघालय', 'northeast', 12, 60, 3512],
  ['TR', 'Tripura', 'त्रिपुरा', 'northeast', 8, 60, 3337],
  ['MN', 'Manipur', 'मणिपुर', 'northeast', 16, 60, 2955],
  ['NL', 'Nagaland', 'नागालैंड', 'northeast', 16, 60, 2351],
  ['AR', 'Arunachal Pradesh', 'अरुणाचल प्रदेश', 'northeast', 26, 60, 2226],
  ['GA', 'Goa', 'गोवा', 'west', 2, 40, 1725],
  ['MZ', 'Mizoram', 'मिज़ोरम', 'northeast', 11, 40, 1276],
  ['PY', 'Puducherry', 'पुडुचेरी', 'south', 4, 30, 967],
  // Union territories without a legislature: booths numbered within the parliamentary seat(s).
  ['CH', 'Chandigarh', 'चंडीगढ़', 'north', 1, 1, 614],
  ['SK', 'Sikkim', 'सिक्किम', 'northeast', 6, 32, 580],
  ['LA', 'Ladakh', 'लद्दाख', 'north', 2, 1, 577],
  ['DN', 'Dadra and Nagar Haveli and Daman and Diu', 'दादरा और नगर हवेली और दमन और दीव', 'west', 3, 2, 470],
  ['AN', 'Andaman and Nicobar Islands', 'अंडमान और निकोबार द्वीपसमूह', 'east', 3, 1, 411],
  ['LD', 'Lakshadweep', 'लक्षद्वीप', 'south', 1, 1, 55]
]

const ALL_STATES: StatePlan[] = STATES.map(([code, name, localName, region, districts, constituencies, booths]) =>
  ({ code, name, localName, region, districts, constituencies, booths }))

function state (code: string): StatePlan {
  const found = ALL_STATES.find(s => s.code === code)
  if (!found) throw new Error(`no state ${code} in the catalogue`)
  return found
}

export type PresetName = 'demo' | 'cg' | 'up' | 'india'

export const PRESETS: Record<PresetName, Preset> = {
  demo: {
    name: 'demo',
    description: '1 invented state, 3 districts, 300 booths, a few thousand people: loads in seconds, even on PGlite',
    // A state of its own (code DM) so the demo never collides with a real state an admin creates.
    states: [{ code: 'DM', name: 'Demo Pradesh', localName: 'डेमो प्रदेश', region: 'north', districts: 3, constituencies: 6, booths: 300 }],
    shape: { boothsPerBlock: 35, boothsPerWard: 8 }
  },
  cg: {
    name: 'cg',
    description: 'Chhattisgarh-sized: 33 districts, about 24,000 booths',
    states: [state('CG')],
    shape: REAL_SHAPE
  },
  up: {
    name: 'up',
    description: 'Uttar Pradesh-sized: 75 districts, about 162,000 booths, about 1.5 million people',
    states: [state('UP')],
    shape: REAL_SHAPE
  },
  india: {
    name: 'india',
    description: '36 states and union territories, about 10.5 lakh booths (needs PostgreSQL, memory and time)',
    states: ALL_STATES,
    shape: REAL_SHAPE
  }
}

export const PRESET_NAMES = Object.keys(PRESETS) as PresetName[]

export function presetByName (name: string): Preset | undefined {
  return (PRESET_NAMES as string[]).includes(name) ? PRESETS[name as PresetName] : undefined
}
