/**
 * Keyword rules for automatic categories. A rule is a list of words and phrases; the longest one
 * found wins, so "Uber Eats" is dining, not transport. Words match whole, so "bar" does not
 * match "Barclays".
 */
const RULES: Record<string, string> = {
  groceries:
    'supermarket|grocery|groceries|aldi|lidl|rewe|edeka|kaufland|tesco|sainsbury|sainsburys|asda|waitrose|carrefour|whole foods|trader joe|safeway|kroger|costco|migros|coop|albert heijn',
  dining:
    "restaurant|cafe|café|coffee|starbucks|pizza|burger|mcdonalds|mcdonald's|bistro|bar|pub|sushi|deliveroo|uber eats|doordash|lieferando|just eat|bakery|lunch|dinner|breakfast",
  transport:
    'uber|lyft|taxi|bolt|train|deutsche bahn|db bahn|bahn|rail|metro|subway|bus|tram|parking|fuel|petrol|gas station|shell|esso|aral|tfl|bvg|car rental|sixt|hertz',
  travel:
    'airline|airlines|airways|lufthansa|ryanair|easyjet|klm|air france|flight|hotel|hostel|airbnb|booking.com|expedia|marriott|hilton|hyatt',
  software:
    'github|aws|amazon web services|google cloud|google workspace|microsoft 365|adobe|notion|slack|zoom|figma|openai|anthropic|atlassian|jetbrains|dropbox|heroku|vercel|digitalocean|saas',
  subscriptions: 'netflix|spotify|disney+|disney plus|youtube premium|apple music|icloud|prime video|subscription|membership',
  utilities:
    'electricity|energy|water|gas bill|internet|broadband|vodafone|telekom|o2|verizon|at&t|comcast|utility|utilities|phone bill|mobile plan',
  housing: 'rent|mortgage|landlord|property management|hoa|home insurance',
  health: 'pharmacy|apotheke|drugstore|doctor|dentist|clinic|hospital|physio|therapy|optician|gym|fitness',
  shopping: 'amazon|ikea|zalando|ebay|etsy|h&m|zara|uniqlo|decathlon|mediamarkt|best buy|apple store',
  entertainment: 'cinema|movie|theatre|theater|concert|ticketmaster|eventim|steam|playstation|nintendo|museum',
  education: 'course|udemy|coursera|book|books|bookstore|tuition|school|training|conference ticket',
  office: 'office supplies|stationery|printer|coworking|wework|staples',
  fees: 'fee|fees|bank charge|interest|atm|overdraft|commission',
};

/** Category → its keywords, lower case. */
export const KEYWORD_RULES: Record<string, string[]> = Object.fromEntries(
  Object.entries(RULES).map(([category, keywords]) => [category, keywords.split('|')]),
);

/** When nothing matches. */
export const DEFAULT_CATEGORY = 'other';

export interface Categorisation {
  category: string;
  /** `given` by the caller, `learned` from an earlier expense at that merchant, `keyword`, or `default`. */
  categorised_by: 'given' | 'learned' | 'keyword' | 'default';
  reason: string;
}

/** Lower case, accents kept, punctuation other than `&'.+` turned into spaces, spaces collapsed. */
export function normaliseText(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^\p{L}\p{N}&'.+]+/gu, ' ')
    .trim();
}

function longestKeyword(text: string): { category: string; keyword: string } | null {
  const padded = ` ${normaliseText(text)} `;
  let best: { category: string; keyword: string } | null = null;
  for (const [category, keywords] of Object.entries(KEYWORD_RULES)) {
    for (const keyword of keywords) {
      if (best && keyword.length <= best.keyword.length) continue;
      if (padded.includes(` ${keyword} `)) best = { category, keyword };
    }
  }
  return best;
}

/**
 * The category the keyword rules give a merchant (then the note), with the reason.
 *
 * @example
 * categoriseByKeywords('UBER *EATS BERLIN'); // { category: 'dining', categorised_by: 'keyword', reason: 'merchant "UBER *EATS BERLIN" matches "uber eats"' }
 */
export function categoriseByKeywords(merchant: string, note?: string): Categorisation {
  const byMerchant = longestKeyword(merchant);
  if (byMerchant) {
    return { category: byMerchant.category, categorised_by: 'keyword', reason: `merchant "${merchant}" matches "${byMerchant.keyword}"` };
  }
  const byNote = note ? longestKeyword(note) : null;
  if (byNote) return { category: byNote.category, categorised_by: 'keyword', reason: `note "${note}" matches "${byNote.keyword}"` };
  return { category: DEFAULT_CATEGORY, categorised_by: 'default', reason: 'no rule matched the merchant or the note' };
}
