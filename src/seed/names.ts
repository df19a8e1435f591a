import type { Random } from './random.js'
import type { Region } from './plan.js'

/**
 * Invented but plausible Indian names: places from syllables (with a Devanagari form
 * built from the same syllables), people from first-name and surname lists of a few
 * communities, mixed per region the way an electoral roll is mixed.
 */

export interface LocalisedName { name: string, localName: string }

type Syllable = readonly [latin: string, devanagari: string]

const PLACE_STEMS: readonly Syllable[] = [
  ['Ram', 'राम'], ['Shiv', 'शिव'], ['Hari', 'हरि'], ['Sita', 'सीता'], ['Kishan', 'किशन'], ['Mohan', 'मोहन'],
  ['Gopal', 'गोपाल'], ['Chandra', 'चंद्र'], ['Dev', 'देव'], ['Bhim', 'भीम'], ['Fateh', 'फतेह'], ['Sultan', 'सुल्तान'],
  ['Shah', 'शाह'], ['Raj', 'राज'], ['Anand', 'आनंद'], ['Madhav', 'माधव'], ['Narayan', 'नारायण'], ['Gokul', 'गोकुल'],
  ['Badri', 'बद्री'], ['Kedar', 'केदार'], ['Ganga', 'गंगा'], ['Sona', 'सोना'], ['Hira', 'हीरा'], ['Moti', 'मोती'],
  ['Nand', 'नंद'], ['Bela', 'बेला'], ['Kamal', 'कमल'], ['Bhawani', 'भवानी'], ['Durga', 'दुर्गा'], ['Indra', 'इंद्र'],
  ['Jagdish', 'जगदीश'], ['Mahesh', 'महेश'], ['Bansi', 'बंसी'], ['Murad', 'मुराद'], ['Azam', 'आज़म'], ['Akbar', 'अकबर'],
  ['Bahadur', 'बहादुर'], ['Jalal', 'जलाल'], ['Sikandar', 'सिकंदर'], ['Dhan', 'धन'], ['Lakshmi', 'लक्ष्मी'], ['Ajit', 'अजीत'],
  ['Amar', 'अमर'], ['Keshav', 'केशव'], ['Radha', 'राधा'], ['Krishna', 'कृष्ण'], ['Sher', 'शेर'], ['Jai', 'जय'],
  ['Vijay', 'विजय'], ['Balram', 'बलराम'], ['Shyam', 'श्याम'], ['Kalyan', 'कल्याण'], ['Sundar', 'सुंदर'], ['Mangal', 'मंगल'],
  ['Som', 'सोम'], ['Tilak', 'तिलक'], ['Nur', 'नूर'], ['Daulat', 'दौलत'], ['Khalil', 'खलील'], ['Rasul', 'रसूल'],
  ['Man', 'मान'], ['Lal', 'लाल'], ['Bir', 'बीर'], ['Kanak', 'कनक'], ['Sahib', 'साहिब'], ['Mahmud', 'महमूद']
]

const SOUTH_STEMS: readonly Syllable[] = [
  ['Venkata', 'वेंकट'], ['Tiru', 'तिरु'], ['Sri', 'श्री'], ['Anna', 'अन्ना'], ['Kotta', 'कोट्टा'], ['Mala', 'माला'],
  ['Rama', 'रामा'], ['Siva', 'शिवा'], ['Chenna', 'चेन्ना'], ['Kanchi', 'कांची'], ['Nalla', 'नल्ला'], ['Pattu', 'पट्टु'],
  ['Gudi', 'गुडी'], ['Velu', 'वेलु'], ['Krishna', 'कृष्णा'], ['Narasa', 'नरसा'], ['Gopala', 'गोपाला'], ['Hosa', 'होसा']
]

// A suffix starting with a vowel joins a consonant-final stem with a vowel sign, not a
// free vowel: Fateh + abad = फतेहाबाद. Such suffixes are given both forms.
type Suffix = readonly [latin: string, devanagari: string, afterConsonant?: string]

const SUFFIXES: Record<Region, readonly Suffix[]> = {
  north: [['pur', 'पुर'], ['ganj', 'गंज'], ['nagar', 'नगर'], ['garh', 'गढ़'], ['pura', 'पुरा'], ['khera', 'खेड़ा'],
    ['gaon', 'गाँव'], ['kot', 'कोट'], ['abad', 'आबाद', 'ाबाद'], ['dih', 'डीह'], ['patti', 'पट्टी'], ['bagh', 'बाग'], ['sar', 'सर']],
  central: [['pur', 'पुर'], ['garh', 'गढ़'], ['gaon', 'गाँव'], ['nagar', 'नगर'], ['pali', 'पाली'], ['tola', 'टोला'],
    ['para', 'पारा'], ['khar', 'खार'], ['abad', 'आबाद', 'ाबाद']],
  west: [['pur', 'पुर'], ['wadi', 'वाड़ी'], ['gaon', 'गाँव'], ['nagar', 'नगर'], ['ner', 'नेर'], ['wada', 'वाडा'], ['pada', 'पाडा'],
    ['abad', 'आबाद', 'ाबाद']],
  east: [['pur', 'पुर'], ['ganj', 'गंज'], ['hat', 'हाट'], ['nagar', 'नगर'], ['danga', 'डांगा'], ['bari', 'बाड़ी'], ['gram', 'ग्राम']],
  south: [['palli', 'पल्ली'], ['pet', 'पेट'], ['halli', 'हल्ली'], ['puram', 'पुरम'], ['konda', 'कोंडा'], ['padu', 'पाडु'],
    ['ur', 'ऊर', 'ूर'], ['nagar', 'नगर']],
  northeast: [['pur', 'पुर'], ['gaon', 'गाँव'], ['bari', 'बाड़ी'], ['para', 'पारा'], ['nagar', 'नगर'], ['ghat', 'घाट']]
}

const endsWithVowel = (latin: string) => /[aeiou]$/i.test(latin)
const startsWithVowel = (latin: string) => /^[aeiou]/i.test(latin)

export function placeName (rng: Random, region: Region): LocalisedName {
  const stems = region === 'south' && rng.chance(0.7) ? SOUTH_STEMS : PLACE_STEMS
  for (;;) {
    const [stem, stemLocal] = rng.pick(stems)
    const [suffix, suffixLocal, afterConsonant] = rng.pick(SUFFIXES[region])
    if (startsWithVowel(suffix) && endsWithVowel(stem)) continue
    return { name: stem + suffix, localName: stemLocal + (afterConsonant ?? suffixLocal) }
  }
}

/** A place name not yet in `taken` (names of sibling units, or of a state's constituencies). */
export function uniquePlaceName (rng: Random, region: Region, taken: Set<string>): LocalisedName {
  for (let attempt = 0; ; attempt++) {
    const place = placeName(rng, region)
    // Past a few hundred tries the syllables are exhausted for this region: qualify the name.
    if (attempt > 200) {
      const [word, local] = rng.pick(QUALIFIERS)
      place.name = `${place.name} ${word}`
      place.localName = `${place.localName} ${local}`
    }
    if (!taken.has(place.name)) {
      taken.add(place.name)
      return place
    }
  }
}

const QUALIFIERS: readonly Syllable[] = [['Khurd', 'खुर्द'], ['Kalan', 'कलां'], ['Khas', 'खास'], ['Buzurg', 'बुजुर्ग'], ['Uttar', 'उत्तर'], ['Dakshin', 'दक्षिण']]

const INSTITUTIONS: readonly Syllable[] = [
  ['Primary School', 'प्राथमिक विद्यालय'], ['Upper Primary School', 'उच्च प्राथमिक विद्यालय'],
  ['Junior High School', 'जूनियर हाई स्कूल'], ['Panchayat Bhawan', 'पंचायत भवन'], ['Anganwadi Kendra', 'आंगनवाड़ी केंद्र'],
  ['Government Inter College', 'राजकीय इंटर कॉलेज'], ['Community Hall', 'सामुदायिक भवन'], ['Kanya Pathshala', 'कन्या पाठशाला'],
  ['Government Girls School', 'राजकीय बालिका विद्यालय'], ['Kisan Seva Kendra', 'किसान सेवा केंद्र']
]

/** "Primary School Rampur (Room 2)": polling stations sit in public buildings, several booths to a building. */
export function boothName (rng: Random, place: LocalisedName, room: number | null): LocalisedName {
  const [institution, institutionLocal] = rng.pick(INSTITUTIONS)
  return {
    name: `${institution} ${place.name}${room === null ? '' : ` (Room ${room})`}`,
    localName: `${institutionLocal} ${place.localName}${room === null ? '' : ` (कक्ष ${room})`}`
  }
}

const LOCALITIES: readonly Syllable[] = [
  ['Civil Lines', 'सिविल लाइंस'], ['Station Road', 'स्टेशन रोड'], ['Gandhi Nagar', 'गांधी नगर'], ['Nehru Colony', 'नेहरू कॉलोनी'],
  ['Subhash Nagar', 'सुभाष नगर'], ['Shastri Nagar', 'शास्त्री नगर'], ['Azad Nagar', 'आज़ाद नगर'], ['Patel Nagar', 'पटेल नगर'],
  ['Ambedkar Nagar', 'अंबेडकर नगर'], ['Rajendra Nagar', 'राजेंद्र नगर'], ['Tilak Nagar', 'तिलक नगर'], ['Indira Colony', 'इंदिरा कॉलोनी'],
  ['Sadar Bazar', 'सदर बाज़ार'], ['Purana Shahar', 'पुराना शहर'], ['Kotwali', 'कोतवाली'], ['Mall Road', 'मॉल रोड'],
  ['Shivaji Nagar', 'शिवाजी नगर'], ['Vivekanand Nagar', 'विवेकानंद नगर'], ['Railway Colony', 'रेलवे कॉलोनी'], ['Kidwai Nagar', 'किदवई नगर']
]

/** An urban ward: "Ward 12, Gandhi Nagar". */
export function urbanWardName (rng: Random, number: number): LocalisedName {
  const [locality, local] = rng.pick(LOCALITIES)
  return { name: `Ward ${number}, ${locality}`, localName: `वार्ड ${number}, ${local}` }
}

// ---- people ---------------------------------------------------------------

interface Community {
  male: readonly string[]
  female: readonly string[]
  surnames: readonly string[]
  /** Surnames women carry instead (Kaur), or as often as their own (Devi). */
  femaleSurnames?: { names: readonly string[], share: number }
  /** Middle names some men and women write out (Ramesh Kumar Yadav, Sunita Kumari). */
  middle?: { male: readonly string[], female: readonly string[] }
}

const HINDI_MALE = ['Ramesh', 'Suresh', 'Mahesh', 'Rajesh', 'Dinesh', 'Mukesh', 'Rakesh', 'Anil', 'Sunil', 'Vijay', 'Ajay',
  'Sanjay', 'Manoj', 'Ashok', 'Pramod', 'Vinod', 'Santosh', 'Arvind', 'Rahul', 'Amit', 'Sumit', 'Rohit', 'Mohit', 'Deepak',
  'Pankaj', 'Alok', 'Ravi', 'Sachin', 'Vikas', 'Gaurav', 'Nitin', 'Abhishek', 'Ankit', 'Praveen', 'Sandeep', 'Pradeep',
  'Kuldeep', 'Raju', 'Shyam', 'Ram', 'Mohan', 'Gopal', 'Hari', 'Ganesh', 'Naresh', 'Umesh', 'Yogesh', 'Jitendra', 'Narendra',
  'Surendra', 'Devendra', 'Rajendra', 'Mahendra', 'Virendra', 'Dharmendra', 'Shailendra', 'Ajit', 'Amar', 'Anand', 'Arun',
  'Ashish', 'Bharat', 'Chandan', 'Dilip', 'Harish', 'Jagdish', 'Kamal', 'Kishore', 'Lalit', 'Manish', 'Naveen', 'Om Prakash',
  'Prakash', 'Rajiv', 'Ranjit', 'Sanjeev', 'Satish', 'Shankar', 'Subhash', 'Sudhir', 'Tarun', 'Uday', 'Vinay', 'Vivek', 'Brijesh',
  'Awadhesh', 'Ramesh Chandra', 'Shiv Kumar', 'Ram Prakash', 'Bhola', 'Phool Singh', 'Lakhan', 'Ramkishan', 'Jageshwar']
const HINDI_FEMALE = ['Sunita', 'Anita', 'Geeta', 'Seema', 'Rekha', 'Meena', 'Pooja', 'Priya', 'Neha', 'Kavita', 'Savita',
  'Sarita', 'Mamta', 'Usha', 'Asha', 'Nisha', 'Suman', 'Poonam', 'Renu', 'Shanti', 'Kamla', 'Laxmi', 'Radha', 'Sita', 'Sangeeta',
  'Anjali', 'Preeti', 'Jyoti', 'Manju', 'Kiran', 'Sushma', 'Shobha', 'Lata', 'Pushpa', 'Urmila', 'Sarla', 'Kusum', 'Rani',
  'Sapna', 'Ritu', 'Sonia', 'Divya', 'Swati', 'Shweta', 'Komal', 'Ruby', 'Rinki', 'Guddi', 'Phoolmati', 'Shakuntala', 'Vimla']
const HINDI_SURNAMES = ['Yadav', 'Sharma', 'Verma', 'Singh', 'Gupta', 'Mishra', 'Tiwari', 'Pandey', 'Chauhan', 'Maurya',
  'Kushwaha', 'Patel', 'Rajput', 'Jaiswal', 'Srivastava', 'Shukla', 'Dubey', 'Tripathi', 'Pal', 'Prajapati', 'Nishad', 'Kumar',
  'Saini', 'Rathore', 'Thakur', 'Jatav', 'Rawat', 'Bisht', 'Negi', 'Chaudhary', 'Agarwal', 'Dwivedi', 'Upadhyay', 'Kashyap',
  'Gautam', 'Bharti', 'Rajbhar', 'Lodhi', 'Sonkar', 'Baghel', 'Jha', 'Paswan', 'Mahto', 'Sahni', 'Meena', 'Gurjar', 'Jat']

const COMMUNITIES = {
  hindi: {
    male: HINDI_MALE,
    female: HINDI_FEMALE,
    surnames: HINDI_SURNAMES,
    femaleSurnames: { names: ['Devi'], share: 0.2 },
    middle: { male: ['Kumar', 'Prasad', 'Chandra', 'Nath', 'Lal'], female: ['Kumari', 'Devi'] }
  },
  central: {
    male: HINDI_MALE,
    female: HINDI_FEMALE,
    surnames: ['Sahu', 'Verma', 'Patel', 'Sinha', 'Dewangan', 'Netam', 'Markam', 'Dhruw', 'Kanwar', 'Yadav', 'Sharma',
      'Chandrakar', 'Baghel', 'Thakur', 'Tiwari', 'Kurre', 'Tandon', 'Sonwani', 'Mandavi', 'Kashyap', 'Nishad', 'Rajput', 'Soni'],
    femaleSurnames: { names: ['Bai'], share: 0.1 },
    middle: { male: ['Kumar', 'Prasad', 'Ram'], female: ['Kumari', 'Devi'] }
  },
  west: {
    male: ['Sachin', 'Ganesh', 'Sandeep', 'Nilesh', 'Rahul', 'Prashant', 'Mahesh', 'Hitesh', 'Jignesh', 'Bhavesh', 'Ketan',
      'Paresh', 'Amol', 'Tushar', 'Vishal', 'Sagar', 'Nikhil', 'Dattatray', 'Santosh', 'Vitthal', 'Mayur', 'Chirag', 'Rajesh'],
    female: ['Sneha', 'Pooja', 'Priyanka', 'Ashwini', 'Manisha', 'Komal', 'Hetal', 'Bhavna', 'Jyoti', 'Sunita', 'Vaishali',
      'Snehal', 'Rupali', 'Kajal', 'Nirmala', 'Sangita', 'Mangal', 'Pallavi', 'Varsha'],
    surnames: ['Patil', 'Pawar', 'Jadhav', 'Shinde', 'Deshmukh', 'Kulkarni', 'Joshi', 'Desai', 'Shah', 'Mehta', 'Patel',
      'Chaudhary', 'Solanki', 'Parmar', 'Gaikwad', 'More', 'Kale', 'Thakor', 'Rathod', 'Bhosale', 'Naik', 'Chavan', 'Vaghela']
  },
  east: {
    male: ['Biswajit', 'Subrata', 'Debashis', 'Partha', 'Sourav', 'Tapan', 'Amit', 'Sanjay', 'Prasanta', 'Arup', 'Sukanta',
      'Manas', 'Bikash', 'Ranjan', 'Pradip', 'Gouranga', 'Sibu', 'Birsa', 'Soren', 'Niranjan', 'Susanta'],
    female: ['Mousumi', 'Rina', 'Mitali', 'Dipali', 'Tanushree', 'Sumita', 'Puja', 'Moumita', 'Sarmistha', 'Madhuri', 'Lipika',
      'Anita', 'Sabita', 'Rashmi', 'Pratima', 'Sushila'],
    surnames: ['Das', 'Ghosh', 'Banerjee', 'Chatterjee', 'Mukherjee', 'Sen', 'Bose', 'Mondal', 'Pradhan', 'Sahu', 'Mohanty',
      'Mahato', 'Munda', 'Oraon', 'Hembram', 'Murmu', 'Tudu', 'Behera', 'Nayak', 'Swain', 'Roy', 'Biswas', 'Sarkar', 'Majhi']
  },
  south: {
    male: ['Venkatesh', 'Srinivas', 'Murugan', 'Senthil', 'Karthik', 'Prasad', 'Nagaraj', 'Ramesh', 'Suresh', 'Rajesh', 'Anil',
      'Ravi', 'Krishna', 'Manoj', 'Arun', 'Vijay', 'Balaji', 'Ganesan', 'Shankar', 'Sathish', 'Anand', 'Mohanan', 'Basavaraj'],
    female: ['Lakshmi', 'Padma', 'Saraswati', 'Kalpana', 'Vijaya', 'Revathi', 'Malathi', 'Bharathi', 'Divya', 'Priya', 'Deepa',
      'Kavitha', 'Anitha', 'Sangeetha', 'Meena', 'Shanthi', 'Sumathi', 'Jayalakshmi'],
    surnames: ['Reddy', 'Naidu', 'Rao', 'Nair', 'Menon', 'Pillai', 'Iyer', 'Gowda', 'Shetty', 'Hegde', 'Murthy', 'Raju',
      'Krishnan', 'Subramaniam', 'Kumar', 'Chettiar', 'Naicker', 'Thevar', 'Yadav', 'Goud', 'Varma', 'Kurup', 'Patil']
  },
  northeast: {
    male: ['Pranjal', 'Dipankar', 'Hemanta', 'Bhaskar', 'Ranjit', 'Jitu', 'Lalrinmawia', 'Wanphrang', 'Neiphiu', 'Tomba',
      'Bikram', 'Rupam', 'Pallab', 'Sanjib', 'Temjen', 'Kiren'],
    female: ['Rupjyoti', 'Pallavi', 'Bornali', 'Mamoni', 'Lalrinpuii', 'Ibemhal', 'Dolly', 'Rinky', 'Monalisa', 'Jonali',
      'Chandana', 'Akum', 'Banteilang'],
    surnames: ['Bora', 'Gogoi', 'Saikia', 'Baruah', 'Kalita', 'Das', 'Sangma', 'Marak', 'Lyngdoh', 'Singha', 'Debbarma',
      'Chakma', 'Tamang', 'Rai', 'Lepcha', 'Ao', 'Sema', 'Meitei', 'Khongwir', 'Hazarika', 'Deka']
  },
  muslim: {
    male: ['Imran', 'Salim', 'Irfan', 'Aslam', 'Javed', 'Shahid', 'Rizwan', 'Faisal', 'Arif', 'Nasir', 'Mohammad', 'Abdul',
      'Rashid', 'Wasim', 'Sajid', 'Anwar', 'Iqbal', 'Zakir', 'Shakeel'],
    female: ['Nazia', 'Shabana', 'Farzana', 'Rukhsana', 'Salma', 'Parveen', 'Ayesha', 'Fatima', 'Nasreen', 'Shahnaz', 'Zainab',
      'Rubina', 'Shaheen'],
    surnames: ['Khan', 'Ansari', 'Qureshi', 'Siddiqui', 'Shaikh', 'Ali', 'Hussain', 'Ahmad', 'Pathan', 'Mirza', 'Rizvi',
      'Malik', 'Saifi', 'Mansuri']
  },
  sikh: {
    male: ['Gurpreet', 'Harpreet', 'Jaspal', 'Manpreet', 'Baljit', 'Sukhwinder', 'Kulwant', 'Amarjit', 'Jagdeep', 'Harjinder'],
    female: ['Harjeet', 'Simran', 'Jaswinder', 'Kuljeet', 'Paramjit', 'Gurleen', 'Navjot', 'Manjeet'],
    surnames: ['Singh', 'Sandhu', 'Gill', 'Dhillon', 'Sidhu', 'Grewal', 'Bajwa', 'Brar'],
    femaleSurnames: { names: ['Kaur'], share: 0.8 }
  }
} satisfies Record<string, Community>

type CommunityName = keyof typeof COMMUNITIES

const REGION_MIX: Record<Region, ReadonlyArray<readonly [CommunityName, number]>> = {
  north: [['hindi', 0.8], ['muslim', 0.15], ['sikh', 0.05]],
  central: [['central', 0.85], ['hindi', 0.05], ['muslim', 0.1]],
  west: [['west', 0.85], ['muslim', 0.1], ['hindi', 0.05]],
  east: [['east', 0.75], ['hindi', 0.1], ['muslim', 0.15]],
  south: [['south', 0.88], ['muslim', 0.08], ['hindi', 0.04]],
  northeast: [['northeast', 0.85], ['east', 0.1], ['muslim', 0.05]]
}

export type Gender = 'female' | 'male' | 'other'

/** A household: members share a surname and, often, one phone. */
export interface Family { community: CommunityName, surname: string }

export function newFamily (rng: Random, region: Region): Family {
  const community = rng.weighted(REGION_MIX[region])
  return { community, surname: rng.pick(COMMUNITIES[community].surnames) }
}

export function personName (rng: Random, family: Family, gender: Gender): string {
  const c: Community = COMMUNITIES[family.community]
  const female = gender === 'female' || (gender === 'other' && rng.chance(0.5))
  const first = rng.pick(female ? c.female : c.male)
  let surname = family.surname
  if (female && c.femaleSurnames && rng.chance(c.femaleSurnames.share)) surname = rng.pick(c.femaleSurnames.names)
  const middle = c.middle && !first.includes(' ') && rng.chance(0.15) ? `${rng.pick(female ? c.middle.female : c.middle.male)} ` : ''
  return `${first} ${middle}${surname}`
}

/** Social media handles look like what people pick: their name, run together, and some digits. */
export function handleFor (rng: Random, name: string): string {
  const words = name.toLowerCase().split(' ')
  const base = rng.chance(0.5) ? words.join('') : `${words[0]}_${words[words.length - 1]}`
  return rng.chance(0.6) ? `${base}${rng.int(1, 999)}` : base
}
