/*
 * The text of the routing benchmark's requests (`routing-mix.ts`): written for it, in the shapes a
 * gateway sees (a short conversation, a report to condense, a bug to fix, a puzzle, an email thread
 * to extract from, an announcement to translate, an agent's tool turn, a photo with a question).
 */

export const CHAT_SYSTEM =
  'You are the assistant of a public library. Be warm and brief; answer in one or two short paragraphs, ' +
  'and suggest a librarian when a question needs a person.';

export const CHAT_TURNS = [
  'Hi! Are you open on Sunday?',
  'Yes, we are open on Sundays from 12:00 to 17:00. Is there anything I can help you with?',
  "Great, thanks. I'm new in town. Could you suggest a nice novel for a rainy weekend?",
];

export const SUMMARY_INSTRUCTION =
  'Summarize the following quarterly operations report in five bullet points for the leadership team.';

export const REPORT_PARAGRAPHS = [
  'In the third quarter the northern distribution centre shipped 412,000 orders, up 9 % on the second quarter, while the average time from order to dispatch fell from 31 to 26 hours. The improvement came mostly from the second picking shift introduced in July and from moving the fastest-selling 300 products closer to the packing stations.',
  'Returns rose to 6.1 % of orders, against 5.4 % a year ago. Two thirds of the returned items were clothing in the wrong size; the product team is testing a size guide on the twenty most returned articles and expects first results in November. Damaged goods accounted for 0.7 % of orders, unchanged.',
  'Staff turnover in the warehouses remained high at 18 % for the quarter. Exit interviews name the night shift rota and the distance to public transport as the main reasons. A shuttle bus between the station and the southern site started in September and is used by about 140 employees a day.',
  'Energy costs fell by 12 % after the solar roof on the southern site went live in August; it produced 38 % of the site’s electricity in September. The fleet replaced 14 diesel vans with electric ones, and the remaining 22 are due for replacement next year if the charging points are installed on time.',
  'Customer satisfaction, measured by the post-delivery survey, stayed at 4.3 out of 5. Complaints about late deliveries halved after the carrier change in the eastern region, but complaints about missing parcel notifications doubled, which the carrier attributes to a fault in its text-message gateway that has since been fixed.',
  'Capital spending reached 2.8 million, below the budget of 3.4 million, because the new sorting line was delayed by six weeks. It is now scheduled to start in the first week of the fourth quarter, and the team expects it to raise the peak capacity of the northern centre by about a quarter before the holiday season.',
  'Inventory accuracy, checked by weekly cycle counts, improved from 97.2 % to 98.6 %. The remaining errors are concentrated in the bulky goods area, where pallets are still moved without scanning; handheld scanners for the forklift drivers were ordered and arrive in October.',
  'For the fourth quarter the operations team plans to hire 60 seasonal workers, open the new sorting line, extend the second shift to the southern site and renegotiate the packaging contract, which expires in December. The main risks are the sorting line slipping further and a shortage of drivers in the two weeks before Christmas.',
];

export const CODE_INSTRUCTION =
  'The function below should merge overlapping time ranges, but it gives wrong results when two ranges only touch ' +
  'and when the input is not sorted. Fix it without changing its signature, explain the bug in two sentences, and ' +
  'add Jest tests for the edge cases.';

export const CODE_FILE = `\`\`\`ts
export interface Range {
  start: number;
  end: number;
}

/** Merges overlapping ranges; the result is sorted by start. */
export function mergeRanges(ranges: Range[]): Range[] {
  const result: Range[] = [];
  for (let i = 0; i < ranges.length; i++) {
    const current = ranges[i];
    const last = result[result.length - 1];
    if (last && current.start < last.end) {
      last.end = Math.max(last.end, current.end);
    } else {
      result.push(current);
    }
  }
  return result;
}

export function totalCovered(ranges: Range[]): number {
  return mergeRanges(ranges).reduce((sum, range) => sum + (range.end - range.start), 0);
}

export function freeSlots(day: Range, busy: Range[], minimum: number): Range[] {
  const merged = mergeRanges(busy.filter((range) => range.end > day.start && range.start < day.end));
  const slots: Range[] = [];
  let cursor = day.start;
  for (const range of merged) {
    if (range.start - cursor >= minimum) slots.push({ start: cursor, end: range.start });
    cursor = Math.max(cursor, range.end);
  }
  if (day.end - cursor >= minimum) slots.push({ start: cursor, end: day.end });
  return slots;
}

// Called from the booking page:
// const slots = freeSlots({ start: 9 * 60, end: 17 * 60 }, meetings, 30);
// if (slots.length === 0) showFullyBooked();
\`\`\``;

export const REASONING_PROBLEM = [
  'A fair coin is tossed repeatedly until either the pattern HTH or the pattern HHT appears in consecutive tosses.',
  '',
  'a) What is the probability that HHT appears first?',
  'b) What is the expected number of tosses until one of the two patterns appears?',
  'c) Now the coin shows heads with probability p. For which values of p are both patterns equally likely to',
  '   appear first? Give the answer in closed form.',
  '',
  'Solve it step by step: set up the states and the equations, solve them exactly, check each answer with a',
  'second method or a sanity check for p = 1/2, and prove that the expected number of tosses in b) is finite.',
].join('\n');

export const EXTRACTION_INSTRUCTION =
  'For every invoice in the email thread below, extract the invoice number, the date, the vendor, the total and ' +
  'the currency. Return only JSON that follows the schema.';

const PRODUCTS = [
  ['Stainless steel hinge', 'HX-2041'],
  ['Oak shelf board 80 cm', 'OB-0880'],
  ['Wall anchor, pack of 50', 'WA-0050'],
  ['Drawer runner pair', 'DR-3312'],
  ['Brass cabinet knob', 'BK-0117'],
  ['LED strip 2 m, warm white', 'LS-2200'],
];
const VENDORS = ['Nordhaus Supplies GmbH', 'Baltic Timber AB', 'Fixings Direct Ltd'];

/** An email thread of `invoices` purchase invoices, each a short email with four line items and a total. */
export const invoiceThread = (invoices: number): string => {
  const out: string[] = [];
  for (let invoice = 0; invoice < invoices; invoice++) {
    const number = `INV-${4_100 + invoice}`;
    const vendor = VENDORS[invoice % VENDORS.length]!;
    const day = 1 + ((invoice * 5) % 28);
    const lines = [0, 1, 2, 3].map((line) => {
      const [product, sku] = PRODUCTS[(invoice + line) % PRODUCTS.length]!;
      const quantity = 2 + ((invoice * 7 + line * 3) % 23);
      const price = 1.2 + ((invoice * 13 + line * 5) % 40) / 4;
      return { text: `- ${product} (SKU ${sku}): ${quantity} × EUR ${price.toFixed(2)}`, amount: quantity * price };
    });
    const total = lines.reduce((sum, line) => sum + line.amount, 0);
    out.push(
      '',
      `From: accounts@${vendor.split(' ')[0]!.toLowerCase()}.example   Date: 2025-03-${String(day).padStart(2, '0')}`,
      `Subject: ${number}`,
      `Dear customer, thank you for your order. Please find the details of invoice ${number} from ${vendor} below;`,
      'payment is due within 30 days of the invoice date to the account given on your contract.',
      ...lines.map((line) => line.text),
      `Total due: EUR ${total.toFixed(2)} (VAT included).`,
    );
  }
  return out.join('\n');
};

export const EXTRACTION_SCHEMA = {
  type: 'object',
  properties: {
    invoices: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          invoice: { type: 'string' },
          date: { type: 'string', format: 'date' },
          vendor: { type: 'string' },
          total: { type: 'number' },
          currency: { type: 'string' },
        },
        required: ['invoice', 'date', 'vendor', 'total', 'currency'],
      },
    },
  },
  required: ['invoices'],
};

export const TRANSLATION_TEXT = [
  'Translate the following announcement for our customers into German. Keep the headings and the list as they are.',
  '',
  '## New opening hours from 1 March',
  '',
  'From 1 March our service centre will be open longer on weekdays, so that you can reach us after work. The new',
  'hours are:',
  '',
  '- Monday to Thursday: 8:00 to 20:00',
  '- Friday: 8:00 to 18:00',
  '- Saturday: 9:00 to 14:00',
  '',
  'Our phone line follows the same hours. Outside them you can still report a fault online at any time, and a',
  'technician will call you back on the next working day. Appointments for home visits can now be booked directly',
  'in the customer portal, where you can also see the technician’s arrival window and change it up to two hours',
  'in advance.',
  '',
  'We would like to thank everyone who took part in our survey last autumn: longer opening hours were the most',
  'frequent wish. If you have questions about the change, please write to us or ask in any of our shops.',
].join('\n');

export const AGENT_SYSTEM =
  'You are the order-support agent of an online furniture store. Use the tools to look orders up, check the ' +
  'return policy and issue refunds. Never refund more than the paid price of an item; ask a human for anything ' +
  'above 500 EUR.';

export const AGENT_TASK =
  'Customer 4821 says that order A-1093 arrived with a broken table leg. Check the order and the policy, and ' +
  'refund the damaged item if the policy allows it.';

export const AGENT_TOOLS = [
  {
    name: 'get_order',
    description: 'Looks an order up by its id: items, prices, delivery date and status.',
    parameters: {
      type: 'object',
      properties: { orderId: { type: 'string', description: 'The order id, e.g. A-1093.' } },
      required: ['orderId'],
    },
  },
  {
    name: 'get_return_policy',
    description: 'The return and damage policy for a product category.',
    parameters: {
      type: 'object',
      properties: { category: { type: 'string', enum: ['tables', 'chairs', 'storage', 'lighting', 'textiles'] } },
      required: ['category'],
    },
  },
  {
    name: 'issue_refund',
    description: 'Refunds one item of an order to the original payment method.',
    parameters: {
      type: 'object',
      properties: {
        orderId: { type: 'string' },
        sku: { type: 'string' },
        amount: { type: 'number', description: 'EUR, at most the paid price of the item.' },
        reason: { type: 'string', enum: ['damaged', 'missing', 'wrong_item', 'other'] },
      },
      required: ['orderId', 'sku', 'amount', 'reason'],
    },
  },
  {
    name: 'escalate_to_human',
    description: 'Hands the case to a person, with a summary of what was checked.',
    parameters: {
      type: 'object',
      properties: { summary: { type: 'string' } },
      required: ['summary'],
    },
  },
];

/** The `get_order` result the agent's last turn carries: an order of `items` lines. */
export const orderResult = (items: number): string =>
  JSON.stringify({
    orderId: 'A-1093',
    customerId: '4821',
    status: 'delivered',
    deliveredAt: '2025-03-14T10:42:00Z',
    items: Array.from({ length: items }, (_, index) => ({
      sku: `TB-${5100 + index}`,
      name: index === 0 ? 'Oak dining table, 180 cm' : `Dining chair, model ${String.fromCharCode(65 + (index % 26))}`,
      category: index === 0 ? 'tables' : 'chairs',
      quantity: 1 + (index % 3),
      paidPrice: index === 0 ? 749 : 89 + (index % 5) * 10,
      currency: 'EUR',
    })),
    shipping: { carrier: 'FurnitureFreight', tracking: 'FF-88310274', signedBy: 'J. Meyer' },
  });

export const VISION_QUESTION =
  'What is the total on this receipt, and which of the items were taxed at the lower rate?';
export const VISION_IMAGE_URL = 'https://images.example.com/receipts/2025-03-18-market.jpg';
