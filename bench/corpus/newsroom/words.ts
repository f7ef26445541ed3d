/**
 * Vocabulary for the seed: the newsroom's synthetic archive is built from
 * these words inside PostgreSQL (array literals + generate_series), so that
 * titles, deks, bodies and comments look like text, full-text search has
 * realistic term frequencies, and no row has to be built in JavaScript.
 *
 * @module
 */

/** Headline/body words (lower case; ~300 so a two-word query matches a few hundred articles). */
export const WORDS: readonly string[] = `
budget election council climate storm court ruling market stocks vaccine transit housing school teachers strike
police river flood energy prices inflation senate governor mayor campaign ballot debate poll voters district
hospital nurses doctors patients health insurance drought wildfire heatwave hurricane earthquake tornado coast
harbor port shipping trade tariff exports factory jobs wages union workers pension retirement tax reform bill
law judge jury verdict appeal prison sentence investigation fraud scandal corruption audit report minister
president parliament coalition opposition protest rally march crowd festival concert album film series
streaming studio theater museum gallery artist novel author poetry library university students campus tuition
research scientists study data survey space rocket launch satellite telescope planet ocean reef species wildlife
forest park trail bridge highway tunnel railway airport airline flights delays traffic bicycle pedestrian safety
crime shooting arrest suspect victim witness trial lawsuit settlement company startup founder investors deal
merger acquisition bank lender mortgage rates housing rent landlord tenants eviction zoning developer tower
downtown neighborhood residents community volunteers charity donation fundraiser church mosque temple
football basketball baseball soccer hockey tennis golf marathon olympics coach player season playoffs title
championship stadium fans trade draft injury comeback record victory defeat league referee transfer contract
technology software chip smartphone privacy security hackers breach outage network internet platform app
artificial intelligence robot automation electric vehicle battery charging solar wind nuclear grid pipeline oil
gas coal emissions carbon recycling waste water supply shortage restaurant chef menu recipe farmers harvest
crop food grocery retail holiday shopping sales consumers brand fashion design travel tourism hotel cruise
border migrants asylum refugees embassy diplomats summit treaty sanctions military troops defense navy army
ceasefire conflict war peace talks negotiations agreement vote veto committee hearing testimony whistleblower
regulator agency rules policy plan proposal funding grant program schools district superintendent parents
children families seniors veterans housing shelter homeless program clinic pharmacy drug overdose treatment
weather forecast rain snow ice winter summer spring autumn morning evening weekend tonight local national global
`.trim().split(/\s+/);

/** Given names for authors and readers. */
export const FIRST_NAMES: readonly string[] = `
james mary john patricia robert jennifer michael linda william elizabeth david barbara richard susan joseph
jessica thomas sarah charles karen daniel nancy matthew lisa anthony betty mark margaret donald sandra steven
ashley paul kimberly andrew emily joshua donna kenneth michelle kevin carol brian amanda george melissa timothy
deborah ronald stephanie jason rebecca edward sharon jeffrey laura ryan cynthia jacob kathleen gary amy nicholas
angela eric shirley jonathan anna stephen brenda larry pamela justin emma scott nicole brandon helen benjamin
samantha samuel katherine gregory christine alexander debra frank rachel patrick carolyn raymond janet jack
maria dennis catherine jerry heather tyler diane aaron ruth jose julie adam olivia nathan joyce henry virginia
priya wei yuki omar fatima diego lucia mateo sofia amara kwame ines lars freya ravi ananya hiro mei`.trim().split(/\s+/);

/** Family names for authors and readers. */
export const LAST_NAMES: readonly string[] = `
smith johnson williams brown jones garcia miller davis rodriguez martinez hernandez lopez gonzalez wilson
anderson thomas taylor moore jackson martin lee perez thompson white harris sanchez clark ramirez lewis robinson
walker young allen king wright scott torres nguyen hill flores green adams nelson baker hall rivera campbell
mitchell carter roberts gomez phillips evans turner diaz parker cruz edwards collins reyes stewart morris morales
murphy cook rogers gutierrez ortiz morgan cooper peterson bailey reed kelly howard ramos kim cox ward richardson
watson brooks chavez wood james bennett gray mendoza ruiz hughes price alvarez castillo sanders patel myers long
ross foster jimenez okafor mensah tanaka sato kowalski novak larsen berg silva costa rossi bianchi dubois moreau`.trim().split(/\s+/);

/** Hand-picked tag slugs (tags 1..40); the rest of the tag vocabulary is generated. */
export const TOP_TAGS: readonly string[] = [
  'elections', 'climate', 'housing', 'education', 'health-care', 'public-safety', 'transit', 'city-hall',
  'courts', 'economy', 'jobs', 'technology', 'artificial-intelligence', 'energy', 'wildfires', 'weather',
  'immigration', 'opioids', 'taxes', 'real-estate', 'small-business', 'restaurants', 'arts', 'music',
  'film', 'books', 'football', 'basketball', 'baseball', 'soccer', 'olympics', 'travel', 'science',
  'space', 'environment', 'agriculture', 'labor', 'retail', 'transportation', 'water',
];
